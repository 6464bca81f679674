"""Ten idle workers, as far as a monitor can tell: worker-heartbeat events every 2 s from ten
hostnames, sent with Celery's own EventDispatcher. Used to measure the dashboard's CPU at idle:

    python3 Benchmarks/idle_heartbeats.py --broker URL --seconds 60
"""
import argparse
import time

from celery import Celery


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=10)
    options = parser.parse_args()
    app = Celery("idle", broker=options.broker)
    with app.connection_for_write() as connection:
        dispatchers = [app.events.Dispatcher(connection, hostname=f"idle{n}@bench") for n in range(options.workers)]
        for dispatcher in dispatchers:
            dispatcher.send("worker-online", freq=2.0, sw_ident="py-celery", sw_ver="5.7.0", sw_sys="Linux")
        deadline = time.monotonic() + options.seconds
        while time.monotonic() < deadline:
            for dispatcher in dispatchers:
                dispatcher.send("worker-heartbeat", freq=2.0, active=0, processed=0, loadavg=[0.0, 0.0, 0.0])
            time.sleep(2)  # the heartbeat interval itself
        for dispatcher in dispatchers:
            dispatcher.send("worker-offline")


if __name__ == "__main__":
    main()
