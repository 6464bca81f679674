"""A Python Celery 5.7 worker holding more countdown tasks than its prefetch must not stall:
Celery raises its QoS for each ETA task it holds (global QoS on a broker whose product is
RabbitMQ >= 3.3), and the broker must apply it at once. Runs a solo worker (prefetch 1) on a
queue of its own at $CELERIAC_TEST_AMQP_URL, sends five tasks with a countdown and then
one without, and prints JSON: how long the immediate one took, and the countdown results.
"""
import json
import os
import subprocess
import sys
import time
import uuid

sys.path.insert(0, os.path.dirname(__file__))
from fixapp import add, app  # noqa: E402

queue = f"eta-{uuid.uuid4().hex[:8]}"
node = f"eta-{uuid.uuid4().hex[:8]}@localhost"
worker = subprocess.Popen(
    [sys.executable, "-m", "celery", "-A", "fixapp", "worker", "-P", "solo", "--prefetch-multiplier", "1",
     "-Q", queue, "-n", node, "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "warning"],
    cwd=os.path.dirname(__file__), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    deadline = time.time() + 30
    while not app.control.ping(destination=[node], timeout=0.5):
        if time.time() > deadline or worker.poll() is not None:
            raise SystemExit("the Celery worker did not come up")
    held = [add.apply_async((i, i), countdown=15, queue=queue) for i in range(5)]
    time.sleep(1)  # let the worker take the countdown tasks first, as the scenario needs
    started = time.time()
    immediate = add.apply_async((20, 22), queue=queue).get(timeout=30)
    immediate_seconds = time.time() - started
    eta_results = [result.get(timeout=60) for result in held]
    print(json.dumps({"immediate": immediate, "immediate_seconds": immediate_seconds, "eta_results": eta_results}))
finally:
    worker.terminate()
    worker.wait(timeout=30)
