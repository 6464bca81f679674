"""Celery 5.7 canvas sent by a Python client to a Swift worker.

    python3 canvas_demo.py --broker URL --queue Q

chain(add(1, 2), mul(10), add(5)) must give 35: each step is sent on by the worker that ran
the one before, with the result prepended, and the last replies to this caller (rpc://).
A link callback with a mutable signature must run with the parent's result: mul(2, 10), whose
result (20) comes back here because the callback's options carry this caller's reply queue.
Prints one JSON object.
"""
import argparse
import json
import uuid

from celery import Celery, chain


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--queue", required=True)
    options = parser.parse_args()
    app = Celery("caller", broker=options.broker, backend="rpc://")
    sig = lambda name, *args, **kwargs: app.signature(name, args=args, queue=options.queue, **kwargs)
    output = {}
    output["chain"] = chain(sig("demo.add", 1, 2), sig("demo.mul", 10), sig("demo.add", 5)).apply_async().get(timeout=30)
    callback_id = str(uuid.uuid4())
    callback = sig("demo.mul", 10).set(task_id=callback_id, reply_to=app.backend.oid)
    parent = sig("demo.add", 1, 1).apply_async(link=callback)
    output["parent"] = parent.get(timeout=30)
    output["callback"] = app.AsyncResult(callback_id).get(timeout=30)
    print(json.dumps(output))


if __name__ == "__main__":
    main()
