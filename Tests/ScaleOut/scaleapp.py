"""The Python Celery 5.7 app of the scale-out runs (Tests/ScaleOut/scale_out.py): the Python
worker beside the Swift ones, and the producer. Same task names and work as Celeriac's demo
app (demo.sleep, demo.noop), so one quorum queue feeds both kinds of worker.

Settings from the environment, as the Swift workers get theirs from celeriac.toml:
CELERIAC_SCALE_BROKER (a ;-separated failover list), CELERIAC_SCALE_BACKEND (redis://, or
empty for none), CELERIAC_SCALE_HEARTBEAT (seconds).
"""
import os
import time

from celery import Celery

backend = os.environ.get("CELERIAC_SCALE_BACKEND") or None
app = Celery("demo", broker=os.environ["CELERIAC_SCALE_BROKER"], backend=backend)
app.conf.update(
    # The task queue is not the default one: quorum through Celery 5.6's settings for queues
    # made on the fly, behind the topic exchange native delayed delivery binds to.
    task_create_missing_queue_type="quorum",
    task_create_missing_queue_exchange_type="topic",
    task_acks_late=True,
    broker_heartbeat=int(os.environ.get("CELERIAC_SCALE_HEARTBEAT", "5")),
    broker_connection_timeout=4,
    broker_failover_strategy="round-robin",
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,
    worker_hijack_root_logger=False,
    worker_prefetch_multiplier=4,
    result_expires=None,
)


@app.task(name="demo.sleep")
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@app.task(name="demo.noop")
def noop():
    return None
