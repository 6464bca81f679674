#!/usr/bin/env python3
"""Remote control of one worker with Celery 5.7's own client, printing every reply as JSON.

    python3 Tests/Interop/control_demo.py --broker URL --node NAME --queue Q

Needs a worker of the demo app (`celeriac worker -A demo`) named NAME consuming Q. While a
demo.sleep(2) runs and a demo.add waits for its countdown, it asks inspect ping, stats,
registered, active_queues, active, scheduled, query_task, conf and clock; then revoke (of the
waiting task), revoked, pool_grow, pool_shrink, stats again, add_consumer and cancel_consumer
of Q.extra (active_queues after each), rate_limit demo.add 2/s (then three demo.add: their
date_done span), time_limit demo.sleep hard=0.5 (then demo.sleep(5) fails), and last shutdown.
"""
import argparse
import json
import time

from celery import Celery


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--node", required=True)
    parser.add_argument("--queue", required=True)
    options = parser.parse_args()
    app = Celery("controller", broker=options.broker, backend="rpc://")
    app.conf.broker_connection_timeout = 30  # Celery's 4 s is shorter than a loaded CI machine can stall
    inspect = app.control.inspect(destination=[options.node], timeout=5)
    node = options.node
    replies = {"ping": inspect.ping()}
    running = app.send_task("demo.sleep", args=(2,), queue=options.queue)
    waiting = app.send_task("demo.add", args=(1, 2), queue=options.queue, countdown=60)
    deadline = time.time() + 10
    while time.time() < deadline:  # until the worker holds both (its state, not a timer)
        active, scheduled = inspect.active() or {}, inspect.scheduled() or {}
        if active.get(node) and scheduled.get(node):
            break
    replies.update(active=active, scheduled=scheduled, stats=inspect.stats(), registered=inspect.registered(),
                   active_queues=inspect.active_queues(), query_task=inspect.query_task([running.id]),
                   conf=inspect.conf(), clock=inspect.clock())
    replies["revoke"] = app.control.revoke(waiting.id, destination=[node], reply=True, timeout=5)
    replies["revoked"] = inspect.revoked()
    replies["pool_grow"] = app.control.pool_grow(2, destination=[node], reply=True, timeout=5)
    replies["pool_shrink"] = app.control.pool_shrink(1, destination=[node], reply=True, timeout=5)
    replies["stats_after"] = inspect.stats()
    extra = options.queue + ".extra"
    replies["add_consumer"] = app.control.add_consumer(extra, destination=[node], reply=True, timeout=5)
    replies["queues_added"] = inspect.active_queues()
    replies["cancel_consumer"] = app.control.cancel_consumer(extra, destination=[node], reply=True, timeout=5)
    replies["queues_cancelled"] = inspect.active_queues()
    replies["result"] = running.get(timeout=10)
    replies["rate_limit"] = app.control.rate_limit("demo.add", "2/s", destination=[node], reply=True, timeout=5)
    limited = [app.send_task("demo.add", args=(i, i), queue=options.queue) for i in range(3)]
    for result in limited:
        result.get(timeout=15)
    done = sorted(result.date_done for result in limited)
    replies["rate_limited_span"] = (done[-1] - done[0]).total_seconds()
    # An ETA task takes its rate token when it comes due, not on arrival: a task sent just
    # after it runs at once instead of waiting out the interval (10 s at 6/m).
    app.control.rate_limit("demo.mul", "6/m", destination=[node], reply=True, timeout=5)
    app.send_task("demo.mul", args=(2, 3), queue=options.queue, countdown=1)
    sent = time.time()
    app.send_task("demo.mul", args=(3, 4), queue=options.queue).get(timeout=15)
    replies["rate_token_wait"] = time.time() - sent
    replies["time_limit"] = app.control.time_limit("demo.sleep", hard=0.5, destination=[node], reply=True, timeout=5)
    try:
        app.send_task("demo.sleep", args=(5,), queue=options.queue).get(timeout=15)
        replies["time_limited"] = "no error"
    except Exception as error:
        replies["time_limited"] = type(error).__name__
    replies["ids"] = {"running": running.id, "waiting": waiting.id}
    replies["shutdown"] = app.control.shutdown(destination=[node], reply=True, timeout=5)
    print(json.dumps(replies))


if __name__ == "__main__":
    main()
