#!/usr/bin/env python3
"""Tasks on one queue that a Python worker and a Swift worker both consume; prints as JSON
every result and how many demo.add each node ran (from `inspect stats`).

    python3 Tests/Interop/share_queue.py --broker URL --queue Q --nodes A,B [--tasks 60]
"""
import argparse
import json

from celery import Celery


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--nodes", required=True)
    parser.add_argument("--tasks", type=int, default=60)
    options = parser.parse_args()
    app = Celery("caller", broker=options.broker, backend="rpc://")
    app.conf.broker_connection_timeout = 30  # Celery's 4 s is shorter than a loaded CI machine can stall
    app.conf.task_queue_max_priority = 10  # as fixapp declares its queues
    nodes = options.nodes.split(",")
    results = [app.send_task("demo.add", args=(i, i), queue=options.queue) for i in range(options.tasks)]
    values = [result.get(timeout=30) for result in results]
    stats = app.control.inspect(destination=nodes, timeout=5).stats() or {}
    print(json.dumps({
        "correct": sum(1 for i, value in enumerate(values) if value == 2 * i),
        "ran": {node: stats.get(node, {}).get("total", {}).get("demo.add", 0) for node in nodes},
    }))


if __name__ == "__main__":
    main()
