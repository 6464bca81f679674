#!/usr/bin/env python3
"""Messages a worker cannot read, on a queue with a dead-letter exchange, then a good task;
prints what happened as JSON.

    python3 Tests/Interop/bad_messages.py --broker URL --queue Q

Declares Q with x-dead-letter-exchange "" and x-dead-letter-routing-key Q.dead (and Q.dead),
then publishes a pickled task, a JSON body that is not [args, kwargs, embed], and a message
without a task header (protocol 1), each with its own id; then demo.add(2, 3) through
Celery. Needs `celeriac worker -A demo` consuming Q. "good" is the add's result, "dead"
the ids found on Q.dead.
"""
import argparse
import json
import time

from celery import Celery
from kombu import Connection, Exchange, Producer, Queue


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--broker", required=True)
    parser.add_argument("--queue", required=True)
    options = parser.parse_args()
    queue, dead = options.queue, options.queue + ".dead"
    with Connection(options.broker) as connection:
        channel = connection.channel()
        task_queue = Queue(queue, Exchange(""), routing_key=queue, durable=True,
                           queue_arguments={"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead})
        task_queue(channel).declare()
        Queue(dead, Exchange(""), routing_key=dead, durable=True)(channel).declare()
        producer = Producer(channel)
        bad = [
            ("bad-pickle", b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01.", "application/x-python-serialize",
             {"id": "bad-pickle", "task": "demo.add"}),
            ("bad-body", b'{"not": "a list"}', "application/json", {"id": "bad-body", "task": "demo.add"}),
            ("no-task-name", b"[[], {}, {}]", "application/json", {"id": "no-task-name"}),
        ]
        for _, body, content_type, headers in bad:
            producer.publish(body, routing_key=queue, content_type=content_type, content_encoding="utf-8",
                             headers=headers, serializer=None)
        app = Celery("caller", broker=options.broker, backend="rpc://")
        app.conf.broker_connection_timeout = 30  # Celery's 4 s is shorter than a loaded CI machine can stall
        # The queue itself, not its name: Celery then declares it with its dead-letter arguments.
        good = app.send_task("demo.add", args=(2, 3), queue=task_queue).get(timeout=20)
        found = []
        deadline = time.time() + 10
        while time.time() < deadline and len(found) < len(bad):
            message = Queue(dead, Exchange(""), routing_key=dead)(channel).get(no_ack=True)
            if message is None:
                time.sleep(0.05)  # the broker dead-letters on its own time: nothing to wait on
                continue
            found.append(message.headers.get("id"))
            death = message.headers.get("x-death") or [{}]
            found[-1] = {"id": found[-1], "reason": death[0].get("reason"), "queue": death[0].get("queue")}
        print(json.dumps({"good": good, "dead": found}))


if __name__ == "__main__":
    main()
