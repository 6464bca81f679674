"""Celery 5.7 canvas sent by a Python client to a Swift worker.

    python3 canvas_demo.py --broker URL --queue Q

chain(add(1, 2), mul(10), add(5)) must give 35: each step is sent on by the worker that ran
the one before, with the result prepended, and the last replies to this caller (rpc://).
A link callback with a mutable signature must run with the parent's result: mul(2, 10), whose
result (20) comes back here because the callback's options carry this caller's reply queue.
And a link_error errback must run when demo.fail fails. Prints one JSON object.
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
    app.conf.broker_connection_timeout = 30  # Celery's 4 s is shorter than a loaded CI machine can stall
    sig = lambda name, *args, **kwargs: app.signature(name, args=args, queue=options.queue, **kwargs)
    output = {}
    output["chain"] = chain(sig("demo.add", 1, 2), sig("demo.mul", 10), sig("demo.add", 5)).apply_async().get(timeout=30)
    callback_id = str(uuid.uuid4())
    callback = sig("demo.mul", 10).set(task_id=callback_id, reply_to=app.backend.oid)
    parent = sig("demo.add", 1, 1).apply_async(link=callback)
    output["parent"] = parent.get(timeout=30)
    output["callback"] = app.AsyncResult(callback_id).get(timeout=30)
    # link_error: demo.fail's errback, immutable add(40, 2), replies 42 here.
    errback_id = str(uuid.uuid4())
    errback = app.signature("demo.add", args=(40, 2), queue=options.queue, immutable=True).set(
        task_id=errback_id, reply_to=app.backend.oid)
    failing = sig("demo.fail", "on purpose").apply_async(link_error=errback)
    try:
        failing.get(timeout=30)
        output["failed"] = "no error"
    except Exception as error:  # the task's own exception, re-raised by Celery
        output["failed"] = type(error).__name__
    output["errback"] = app.AsyncResult(errback_id).get(timeout=30)
    print(json.dumps(output))


if __name__ == "__main__":
    main()
