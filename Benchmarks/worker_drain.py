"""How fast `celeriac worker` drains a queue of Celery messages, with and without `-E`.

    python3 Benchmarks/worker_drain.py AMQP_URL [--tasks N] [--runs N]

Fills a fresh queue with N demo.noop messages as Celery 5.7 writes them (pika), starts
`.build/release/celeriac worker -P async -c 2` on it, and times it until the queue holds
nothing ready; then the same with -E. Runs alternate, so a drifting machine shows in both.
It measures what the events cost the broker: `celeriac bench worker` counts tasks by their
events, so it cannot run a worker without them.
"""
import argparse
import json
import subprocess
import time
import uuid

import pika

EMBED = {"callbacks": None, "errbacks": None, "chain": None, "chord": None}


def fill(channel, queue, count):
    body = json.dumps([[], {}, EMBED])
    for _ in range(count):
        task_id = str(uuid.uuid4())
        headers = {"lang": "py", "task": "demo.noop", "id": task_id, "shadow": None, "eta": None, "expires": None,
                   "group": None, "group_index": None, "retries": 0, "timelimit": [None, None], "root_id": task_id,
                   "parent_id": None, "argsrepr": "()", "kwargsrepr": "{}", "origin": "drain@localhost",
                   "ignore_result": False, "replaced_task_nesting": 0, "stamped_headers": None, "stamps": {}}
        properties = pika.BasicProperties(content_type="application/json", content_encoding="utf-8", headers=headers,
                                          delivery_mode=2, priority=0, correlation_id=task_id)
        channel.basic_publish("", queue, body, properties)


def drain(url, count, events):
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    queue = "drain-" + uuid.uuid4().hex[:8]
    channel.queue_declare(queue, durable=True)
    fill(channel, queue, count)
    start = time.monotonic()
    worker = subprocess.Popen([".build/release/celeriac", "worker", "-A", "demo", "-P", "async", "-c", "2", "-Q", queue,
                               "-n", "drain@localhost", "-b", url, "-l", "warning"] + (["-E"] if events else []))
    try:
        # The queue's ready count is the only signal from outside; a few in the prefetch
        # window may still be running when it reaches 0.
        while channel.queue_declare(queue, durable=True, passive=True).method.message_count > 0:
            time.sleep(0.02)
        return count / (time.monotonic() - start)
    finally:
        worker.terminate()
        worker.wait()
        channel.queue_delete(queue)
        connection.close()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--tasks", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=2)
    options = parser.parse_args()
    for _ in range(options.runs):
        for events in (False, True):
            rate = drain(options.url, options.tasks, events)
            print(f"{'with -E' if events else 'without -E':>10}: {options.tasks} tasks drained at {rate:,.0f}/s", flush=True)


if __name__ == "__main__":
    main()
