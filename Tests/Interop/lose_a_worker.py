#!/usr/bin/env python3
"""Stop a worker with late-acked tasks in flight, start another, and count that every task
completed — as JSON.

    python3 Tests/Interop/lose_a_worker.py --broker URL --queue Q --celeriac BIN \
        --how kill|term [--tasks 200] [--log-dir DIR]

Sends TASKS demo.sleep(0.05) (acks_late) to Q, starts `BIN worker -A demo -P prefork -c 4`
on Q, and once a fifth of the results are in stops it: `kill` is kill -9 of the worker
process alone (its pool children must notice and go), `term` is SIGTERM (a warm shutdown).
Then a second worker takes the queue over. Celery's event receiver counts task-succeeded per
task id across both workers; "duplicates" are ids that succeeded more than once (at-least-
once delivery: a task the first worker finished but could not ack runs again).
"""
import argparse
import json
import os
import signal
import subprocess
import time

from celery import Celery

from call_demo import EventWatcher


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--celeriac", required=True)
    parser.add_argument("--how", choices=["kill", "term"], required=True)
    parser.add_argument("--tasks", type=int, default=200)
    parser.add_argument("--log-dir", default="/tmp")
    options = parser.parse_args()
    app = Celery("loser", broker=options.broker, backend="rpc://")
    app.conf.broker_connection_timeout = 30  # Celery's 4 s is shorter than a loaded CI machine can stall
    succeeded = {}
    watcher = EventWatcher(app)
    previous = watcher.on_event

    def count(event):
        if event["type"] == "task-succeeded":
            succeeded[event["uuid"]] = succeeded.get(event["uuid"], 0) + 1
        previous(event)

    watcher.receiver.handlers["*"] = count
    results = [app.send_task("demo.sleep", args=(0.05,), queue=options.queue) for _ in range(options.tasks)]

    def start(name):
        log = open(os.path.join(options.log_dir, f"{options.queue}-{name}.log"), "w")
        return subprocess.Popen([options.celeriac, "worker", "-A", "demo", "-P", "prefork", "-c", "4", "-E",
                                 "-Q", options.queue, "-n", f"{name}-{options.queue}@localhost",
                                 "-b", options.broker, "--result-backend", "rpc://"],
                                stdin=subprocess.DEVNULL, stdout=log, stderr=log)

    first = start("first")
    inspect = app.control.inspect(destination=[f"first-{options.queue}@localhost"], timeout=5)
    done = 0
    for result in results:  # in order: a fifth of them back means the worker is busy mid-queue
        result.get(timeout=60)
        done += 1
        if done == options.tasks // 5:
            break
    children = (inspect.stats() or {}).get(f"first-{options.queue}@localhost", {}).get("pool", {}).get("processes", [])
    first.send_signal(signal.SIGKILL if options.how == "kill" else signal.SIGTERM)
    first_status = first.wait(timeout=60)
    deadline = time.time() + 10
    while time.time() < deadline and any(os.path.exists(f"/proc/{pid}") for pid in children):
        time.sleep(0.05)  # orphaned children exit on their own: there is nothing to wait on
    children_left = [pid for pid in children if os.path.exists(f"/proc/{pid}")]

    second = start("second")
    outcomes = {}
    for result in results:
        try:
            outcomes[result.id] = result.get(timeout=60)
        except Exception as error:
            outcomes[result.id] = f"{type(error).__name__}: {error}"
    deadline = time.time() + 10
    while time.time() < deadline and len(succeeded) < options.tasks:
        time.sleep(0.05)  # the last events may trail the last results
    watcher.receiver.should_stop = True
    second.send_signal(signal.SIGTERM)
    second_status = second.wait(timeout=60)
    print(json.dumps({
        "tasks": options.tasks,
        "completed": sum(1 for value in outcomes.values() if value == 0.05),
        "failed": {key: value for key, value in outcomes.items() if value != 0.05},
        "succeeded_ids": len(succeeded),
        "duplicates": sum(1 for count in succeeded.values() if count > 1),
        "first_status": first_status, "second_status": second_status,
        "children": children, "children_left": children_left,
    }))


if __name__ == "__main__":
    main()
