"""The Python Celery 5.7 app `celeriac bench worker` runs as Celery's worker: the same task
names and work as Celeriac's demo app (demo.noop, demo.fib), no result backend, so both
workers do the same thing per task. Broker URL from CELERIAC_BENCH_AMQP_URL."""
import os

from celery import Celery

app = Celery("demo", broker=os.environ["CELERIAC_BENCH_AMQP_URL"])
app.conf.update(worker_hijack_root_logger=False, broker_connection_retry_on_startup=True)


def fibonacci(n):
    return n if n < 2 else fibonacci(n - 1) + fibonacci(n - 2)


@app.task(name="demo.noop")
def noop():
    return None


@app.task(name="demo.fib")
def fib(n):
    return fibonacci(n)
