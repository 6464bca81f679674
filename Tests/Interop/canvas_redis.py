"""Celery 5.7 canvas on the Redis result backend, built in Python, run by Swift workers.

    python3 canvas_redis.py --broker URL --redis URL --swift-queue Q --python-queue P --swift-group ID
    python3 canvas_redis.py --broker URL --redis URL --swift-queue Q --python-queue P --only links

On the Swift worker consuming Q: chain(add(1, 2), mul(10), add(5)) gives 35; a group, saved
and restored by id, gives its results in order; chord([add(1, 1), add(2, 2)], xsum()) gives
6; a chord with a failing header task fails its body with Celery's ChordError. Across both kinds of
worker: a chord whose header tasks run on the Python worker (P, fix.*) and the Swift worker
(Q, demo.*) at once; and one whose body runs on the Python worker. Reads the group a Swift
client saved (--swift-group), and saves one for the Swift test to restore. A starmap and
chunks run on the Swift worker's built-in celery.starmap. Prints one JSON
object.

With --only links, only link and link_error on the Swift worker, with this Redis backend:
add(2, 3) linked to mul(10) gives 5, then 50 from the callback, which the stored result names
as its child; demo.fail with two errbacks, an immutable add(40, 2) and a mutable demo.fail
that gets the failed task's id as its message (and so fails with it), sent as one group.
"""
import argparse
import json
import uuid

from celery import Celery, chain, chord, group
from celery.canvas import chunks, xstarmap
from kombu import Queue


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--swift-queue", required=True)
    parser.add_argument("--python-queue", required=True)
    parser.add_argument("--swift-group")
    parser.add_argument("--only", choices=["links"])
    options = parser.parse_args()
    if options.only is None and options.swift_group is None:
        parser.error("--swift-group is required unless --only is given")
    app = Celery("caller", broker=options.broker, backend=options.redis)
    app.conf.broker_connection_timeout = 30  # Celery's 4 s is shorter than a loaded CI machine can stall
    # Both workers declare their queues with priorities (fixapp's task_queue_max_priority),
    # and each sends chord bodies to the other's queue: every declaration must agree.
    app.conf.task_queues = [Queue(name, queue_arguments={"x-max-priority": 10})
                            for name in (options.swift_queue, options.python_queue)]

    def swift(name, *args):
        return app.signature(name, args=args, queue=options.swift_queue)

    def python(name, *args):
        return app.signature(name, args=args, queue=options.python_queue)

    if options.only == "links":
        print(json.dumps(links(app, swift)))
        return
    output = {}
    output["chain"] = chain(swift("demo.add", 1, 2), swift("demo.mul", 10), swift("demo.add", 5)).apply_async().get(timeout=30)
    saved = group(swift("demo.add", i, i) for i in range(4)).apply_async()
    saved.save()
    output["group"] = app.GroupResult.restore(saved.id).get(timeout=30)
    output["python_group"] = saved.id
    output["chord"] = chord([swift("demo.add", 1, 1), swift("demo.add", 2, 2)], swift("demo.xsum")).apply_async().get(timeout=30)
    failing = chord([swift("demo.add", 1, 1), swift("demo.fail", "header ✗")], swift("demo.xsum")).apply_async()
    try:
        failing.get(timeout=30)
        output["chord_error"] = "no error"
    except Exception as error:  # get() raises the failed header task's error first
        body = app.AsyncResult(failing.id)  # no parents: waits for the body itself
        body.get(timeout=30, propagate=False)
        output["chord_error"] = {"raised": type(error).__name__, "body_state": body.state,
                                 "body_error": type(body.result).__name__, "body_message": str(body.result)}
    mixed = chord([python("fix.add", 1, 1), swift("demo.add", 2, 2), python("fix.add", 3, 3), swift("demo.add", 4, 4)],
                  swift("demo.xsum"))
    output["mixed_header"] = mixed.apply_async().get(timeout=30)
    python_body = chord([swift("demo.add", 1, 1), python("fix.add", 2, 2)], python("fix.xsum"))
    output["python_body"] = python_body.apply_async().get(timeout=30)
    output["swift_group"] = app.GroupResult.restore(options.swift_group).get(timeout=30)
    q = options.swift_queue
    output["starmap"] = xstarmap(swift("demo.add"), [(1, 2), (3, 4)]).apply_async(queue=q).get(timeout=30)
    output["chunks"] = chunks(swift("demo.mul"), [(1, 1), (2, 2), (3, 3)], 2).apply_async(queue=q).get(timeout=30)
    print(json.dumps(output))


def links(app, swift):
    """link and link_error built here, run by the Swift worker, read back from Redis."""
    output = {}
    callback_id = str(uuid.uuid4())
    parent = swift("demo.add", 2, 3).apply_async(link=swift("demo.mul", 10).set(task_id=callback_id))
    output["parent"] = parent.get(timeout=30)
    output["callback"] = app.AsyncResult(callback_id).get(timeout=30)
    output["children"] = [child.id for child in parent.children or []]
    output["callback_id"] = callback_id
    immutable_id, mutable_id = str(uuid.uuid4()), str(uuid.uuid4())
    errbacks = [swift("demo.add", 40, 2).set(immutable=True, task_id=immutable_id),
                swift("demo.fail").set(task_id=mutable_id)]
    failing = swift("demo.fail", "on purpose").apply_async(link_error=errbacks, link=swift("demo.mul", 10))
    try:
        failing.get(timeout=30)
        output["failed"] = "no error"
    except Exception as error:  # the task's own exception, re-raised by Celery
        output["failed"] = type(error).__name__
    output["failed_id"] = failing.id
    output["immutable_errback"] = app.AsyncResult(immutable_id).get(timeout=30)
    mutable = app.AsyncResult(mutable_id)
    mutable.get(timeout=30, propagate=False)
    output["mutable_errback"] = {"state": mutable.state, "error": type(mutable.result).__name__,
                                 "message": str(mutable.result)}
    output["failed_children"] = [child.id for child in failing.children or []]
    return output


if __name__ == "__main__":
    main()
