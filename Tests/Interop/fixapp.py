"""The Python Celery 5.7 app the interop tests run as a real worker.

Its tasks mirror the ones the captured fixtures came from (fix.add, fix.mul, fix.xsum,
fix.fail, fix.sleep) plus fix.echo_request, which reports what the worker saw of the
message so a Swift test can check headers and properties survived the trip.
fix.lookup (KeyError for an unknown key) and fix.retry_then_succeed (one retry, then
success) give Tests/Interop/task_mix.py its other exception type and its RETRY state.
Broker URL from CELERIAC_TEST_AMQP_URL; results over rpc://, or CELERIAC_TEST_RESULT_BACKEND;
quorum task queues with native delayed delivery when CELERIAC_TEST_QUEUE_TYPE=quorum.
"""
import os
import time

from celery import Celery

app = Celery("fix", broker=os.environ["CELERIAC_TEST_AMQP_URL"],
             backend=os.environ.get("CELERIAC_TEST_RESULT_BACKEND", "rpc://"))
app.conf.update(
    task_queue_max_priority=10,
    task_default_priority=5,
    result_extended=True,
    worker_hijack_root_logger=False,
    broker_connection_retry_on_startup=True,
    # Celery's 4 s connect timeout is shorter than a loaded 2-core CI machine can stall.
    broker_connection_timeout=30,
)
if os.environ.get("CELERIAC_TEST_QUEUE_TYPE") == "quorum":
    # Quorum queues take no x-max-priority; a topic exchange lets countdown tasks go by
    # Celery's native delayed delivery.
    app.conf.update(task_queue_max_priority=None, task_default_queue_type="quorum",
                    task_default_exchange_type="topic")


@app.task(name="fix.add")
def add(x, y):
    return x + y


@app.task(name="fix.mul")
def mul(x, y):
    return x * y


@app.task(name="fix.xsum")
def xsum(numbers):
    return sum(numbers)


@app.task(name="fix.fail")
def fail(message):
    raise ValueError(message)


@app.task(name="fix.sleep")
def sleep(seconds):
    time.sleep(seconds)
    return seconds


@app.task(name="fix.echo_request", bind=True)
def echo_request(self, *args, **kwargs):
    info = self.request.delivery_info or {}
    return {
        "args": list(args),
        "kwargs": kwargs,
        "id": self.request.id,
        "priority": info.get("priority"),
        "routing_key": info.get("routing_key"),
        "retries": self.request.retries,
        "eta": self.request.eta,
        "expires": self.request.expires,
        "lang": (self.request.get("lang") if hasattr(self.request, "get") else None),
    }


_LOOKUP_TABLE = {"alpha": 1, "beta": 2, "gamma": 3}


@app.task(name="fix.lookup")
def lookup(key):
    return _LOOKUP_TABLE[key]  # KeyError for an unknown key


@app.task(name="fix.retry_then_succeed", bind=True)
def retry_then_succeed(self, marker):
    # The first run retries once, one second later; the retry succeeds.
    if self.request.retries < 1:
        raise self.retry(countdown=1, exc=ConnectionError("transient failure, retrying"))
    return marker


# The demo app's names, so a Python worker and a Swift one (`celeriac worker -A demo`) can
# share a queue: either may take any of these.
@app.task(name="demo.add")
def demo_add(x, y):
    return x + y


@app.task(name="demo.mul")
def demo_mul(x, y):
    return x * y


@app.task(name="demo.noop")
def demo_noop():
    return None
