"""Celery 5.7 canvas on the Redis result backend, built in Python, run by Swift workers.

    python3 canvas_redis.py --broker URL --redis URL --swift-queue Q --python-queue P --swift-group ID

On the Swift worker consuming Q: chain(add(1, 2), mul(10), add(5)) gives 35; a group, saved
and restored by id, gives its results in order; chord([add(1, 1), add(2, 2)], xsum()) gives
6; a chord with a failing header task fails its body with Celery's ChordError. Across both kinds of
worker: a chord whose header tasks run on the Python worker (P, fix.*) and the Swift worker
(Q, demo.*) at once; and one whose body runs on the Python worker. Reads the group a Swift
client saved (--swift-group), and saves one for the Swift test to restore. A starmap and
chunks run on the Swift worker's built-in celery.starmap. Prints one JSON
object.
"""
import argparse
import json

from celery import Celery, chain, chord, group
from celery.canvas import chunks, xstarmap
from kombu import Queue


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--redis", required=True)
    parser.add_argument("--swift-queue", required=True)
    parser.add_argument("--python-queue", required=True)
    parser.add_argument("--swift-group", required=True)
    options = parser.parse_args()
    app = Celery("caller", broker=options.broker, backend=options.redis)
    # Both workers declare their queues with priorities (fixapp's task_queue_max_priority),
    # and each sends chord bodies to the other's queue: every declaration must agree.
    app.conf.task_queues = [Queue(name, queue_arguments={"x-max-priority": 10})
                            for name in (options.swift_queue, options.python_queue)]

    def swift(name, *args):
        return app.signature(name, args=args, queue=options.swift_queue)

    def python(name, *args):
        return app.signature(name, args=args, queue=options.python_queue)

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


if __name__ == "__main__":
    main()
