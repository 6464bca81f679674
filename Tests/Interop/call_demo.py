#!/usr/bin/env python3
"""Call the demo app's tasks from Python Celery 5.7 and print what came back, as JSON.

    python3 Tests/Interop/call_demo.py --broker URL --queue Q [--events]

A client only: it needs a worker of the demo app (`celeriac worker -A demo`) consuming Q,
and reads results through rpc://. The output's "results" hold each task's result, or
{"error": TYPE, "message": TEXT} for a task that raised. With --events, Celery's own event
receiver listens from before the first call, feeds celery.events.state.State, and "events"
tells what it saw: the count per event type, the workers and whether they are alive, and
the state State gives each call (once a worker is alive and every call but the unknown one
is ready there).
"""
import argparse
import json
import threading
import time

from celery import Celery
from celery.events.state import State


class EventWatcher:
    """Celery's EventReceiver into a State, on a thread, consuming before any call is sent."""

    def __init__(self, app):
        self.state = State()
        self.types = {}
        self.connection = app.connection()
        self.receiver = app.events.Receiver(self.connection, handlers={"*": self.on_event})
        ready = threading.Event()
        self.receiver.on_consume_ready = lambda *args, **kwargs: ready.set()
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()
        if not ready.wait(20):
            raise SystemExit("the event receiver did not start consuming within 20 s")

    def run(self):
        self.receiver.capture(limit=None, timeout=None, wakeup=False)

    def on_event(self, event):
        self.types[event["type"]] = self.types.get(event["type"], 0) + 1
        self.state.event(event)

    def summary(self, ids, deadline):
        ready = {"SUCCESS", "FAILURE", "REVOKED"}
        while time.time() < deadline:
            tasks = self.state.tasks
            alive = any(worker.alive for worker in self.state.workers.values())
            if alive and all(i in tasks and tasks[i].state in ready for i in ids.values()):
                break
            time.sleep(0.1)  # polling another thread's State: no event to wait on
        self.receiver.should_stop = True
        tasks = self.state.tasks
        return {"types": self.types,
                "workers": {name: worker.alive for name, worker in self.state.workers.items()},
                "states": {name: tasks[i].state if i in tasks else None for name, i in ids.items()}}


def outcome(result, timeout):
    try:
        return result.get(timeout=timeout)
    except Exception as error:  # the task's own exception, re-raised by Celery
        return {"error": type(error).__name__, "message": str(error)}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--timeout", type=float, default=30)
    parser.add_argument("--events", action="store_true")
    options = parser.parse_args()
    app = Celery("caller", broker=options.broker, backend="rpc://")
    app.conf.broker_connection_timeout = 30  # Celery's 4 s is shorter than a loaded CI machine can stall
    watcher = EventWatcher(app) if options.events else None
    send = lambda name, *args, **kwargs: app.send_task(name, args=args, kwargs=kwargs, queue=options.queue)
    # First, while the worker has room: kombu gives an expired task an AMQP TTL too, so one
    # that waits in the queue is dropped by the broker and never reaches a worker at all.
    expired = app.send_task("demo.add", args=(1, 2), queue=options.queue, expires=-5)
    calls = {
        "add": send("demo.add", 2, 3),
        "add_kwargs": send("demo.add", x=40, y=2),
        "mul": send("demo.mul", 6, 7),
        "xsum": send("demo.xsum", [1, 2, 3, 4]),
        "noop": send("demo.noop"),
        "fib": send("demo.fib", 20),
        "sleep": send("demo.sleep", 0.2),
        "fail": send("demo.fail", "boom ✗"),
        "unknown": send("demo.nope", 1),
        "bad_args": send("demo.add", "two", 3),
        "progress": send("demo.progress", 3),
        "countdown": app.send_task("demo.add", args=(1, 1), queue=options.queue, countdown=1),
        "expired": expired,
        # Due after it expires: the worker holds it for its ETA, then finds it expired.
        "expired_while_held": app.send_task("demo.add", args=(2, 2), queue=options.queue, countdown=2, expires=1),
    }
    output = {"results": {name: outcome(result, options.timeout) for name, result in calls.items()}}
    if watcher:
        ids = {name: result.id for name, result in calls.items() if name != "unknown"}
        output["events"] = watcher.summary(ids, time.time() + options.timeout)
    print(json.dumps(output))


if __name__ == "__main__":
    main()
