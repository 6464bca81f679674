#!/usr/bin/env python3
"""The prefork pool under Celery 5.7's own remote control, every reply printed as JSON.

    python3 Tests/Interop/control_pool.py --broker URL --node NAME --queue Q

Needs `celeriac worker -A demo -P prefork --autoscale 3,1` named NAME on Q, started with
AUTOSCALE_KEEPALIVE=2. In turn: three demo.sleep(6) make the autoscaler grow to 3 (the
largest pool seen while they run), and it shrinks back to 1 once they are done; a demo.sleep(30) is terminated with SIGKILL; another
has its pool process killed from outside (kill -9 of the worker_pid `active` names), and
stats is read until the pool has its size back; time_limit soft=0.3 makes demo.sleep(3)
fail with SoftTimeLimitExceeded; autoscale 4 2, pool_grow 2 and pool_shrink 1 each change
what stats reports.
"""
import argparse
import json
import os
import signal
import time

from celery import Celery

from call_demo import outcome


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--queue", required=True)
    options = parser.parse_args()
    app = Celery("controller", broker=options.broker, backend="rpc://")
    app.conf.broker_connection_timeout = 30  # Celery's 4 s is shorter than a loaded CI machine can stall
    node = options.node
    inspect = app.control.inspect(destination=[node], timeout=5)
    send = lambda name, *args: app.send_task(name, args=args, queue=options.queue)
    control = lambda method, *args, **kwargs: getattr(app.control, method)(
        *args, destination=[node], reply=True, timeout=5, **kwargs)

    def stats():
        return (inspect.stats() or {}).get(node) or {}

    def wait_for(predicate, timeout=20):
        """Asks the worker until `predicate` holds (its state, polled: there is no event)."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.1)
        return None

    def running(result):
        """The `active` entry of a task once a pool process runs it."""
        return wait_for(lambda: next((task for task in (inspect.active() or {}).get(node, [])
                                      if task["id"] == result.id and task["worker_pid"]), None))

    replies = {"stats_start": stats()}
    # 6 s, not less: on a loaded machine the three sends alone have taken seconds, and the
    # pool only needs three processes while all three tasks are held at once.
    sending = time.time()
    burst = [send("demo.sleep", 6) for _ in range(3)]
    replies["burst_sent_in"] = round(time.time() - sending, 3)
    largest = {}
    deadline = time.time() + 25
    while time.time() < deadline and not all(result.ready() for result in burst):
        seen = stats()  # the largest pool seen while the burst runs (polled: there is no event)
        if len(seen.get("pool", {}).get("processes", [])) > len(largest.get("pool", {}).get("processes", [])):
            largest = seen
        time.sleep(0.1)
    replies["grown"] = largest
    replies["burst"] = [outcome(result, 15) for result in burst]
    replies["shrunk"] = wait_for(lambda: (lambda s: s if s.get("autoscaler", {}).get("current") == 1 else None)(stats()))

    doomed = send("demo.sleep", 30)
    replies["doomed_active"] = running(doomed)
    replies["terminate"] = control("terminate", doomed.id, signal="SIGKILL")
    replies["terminated"] = outcome(doomed, 15)

    lost = send("demo.sleep", 30)
    entry = running(lost)
    replies["lost_active"] = entry
    size = len(stats().get("pool", {}).get("processes", []))
    os.kill(entry["worker_pid"], signal.SIGKILL)
    replies["lost"] = outcome(lost, 15)
    replies["stats_replaced"] = wait_for(lambda: (lambda s: s if len(s.get("pool", {}).get("processes", [])) == size
                                                  and entry["worker_pid"] not in s["pool"]["processes"] else None)(stats()))

    replies["time_limit"] = control("time_limit", "demo.sleep", soft=0.3, hard=5)
    replies["soft_limited"] = outcome(send("demo.sleep", 3), 15)

    replies["autoscale"] = control("autoscale", 4, 2)
    replies["stats_autoscaled"] = stats()
    replies["pool_grow"] = control("pool_grow", 2)
    replies["stats_grown"] = stats()
    replies["pool_shrink"] = control("pool_shrink", 1)
    replies["stats_shrunk"] = stats()
    replies["ids"] = {"doomed": doomed.id, "lost": lost.id}
    print(json.dumps(replies))


if __name__ == "__main__":
    main()
