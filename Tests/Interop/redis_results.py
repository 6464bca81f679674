"""Celery 5.7's Redis result backend against Celeriac's, both ways.

    python3 redis_results.py --broker URL --queue Q --redis redis://host:port/db --swift-stored ID

Calls demo.add and demo.fail on the Swift worker consuming Q and reads their results through
Celery's own Redis backend (AsyncResult.get, which waits on the key's pub/sub channel); reads
the result a Swift test stored under --swift-stored; and stores one result itself for the
Swift test to read back. Prints one JSON object.
"""
import argparse
import json
import uuid

from celery import Celery


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--queue", required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--swift-stored", required=True)
    options = parser.parse_args()
    app = Celery("caller", broker=options.broker, backend=options.redis)
    app.conf.broker_connection_timeout = 30  # Celery's 4 s is shorter than a loaded CI machine can stall
    output = {}
    output["add"] = app.send_task("demo.add", args=(2, 3), queue=options.queue).get(timeout=30)
    try:
        app.send_task("demo.fail", args=("boom ✗",), queue=options.queue).get(timeout=30)
        output["fail"] = "no error"
    except Exception as error:  # the task's own exception, re-raised by Celery
        output["fail"] = {"error": type(error).__name__, "message": str(error)}
    stored = app.AsyncResult(options.swift_stored)
    output["swift_stored"] = {"state": stored.state, "result": stored.get(timeout=10)}
    python_id = str(uuid.uuid4())
    app.backend.store_result(python_id, {"from": "python", "n": 7}, "SUCCESS")
    output["python_stored"] = python_id
    print(json.dumps(output))


if __name__ == "__main__":
    main()
