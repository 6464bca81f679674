"""Sends one task with an absolute ETA, as a Celery user does, and waits for its result.

Usage: CELERIAC_TEST_QUEUE_TYPE=quorum python3 quorum_eta.py TASK X Y SECONDS
The ETA is SECONDS (a fraction allowed) from now, cut to whole milliseconds so that a
worker log's millisecond timestamps can be compared with it exactly. On quorum queues
Celery's client turns it into int(eta - now) seconds of native delayed delivery; the
fraction left over is the worker's to wait. Prints JSON: the result, the task id and the
ETA as Unix seconds.
"""
import json
import sys
from datetime import datetime, timedelta, timezone

from fixapp import app

task, x, y, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
app.conf.broker_transport_options = {"confirm_publish": True}
eta = datetime.now(timezone.utc) + timedelta(seconds=seconds)
eta = eta.replace(microsecond=eta.microsecond // 1000 * 1000)
result = app.signature(task, args=(x, y)).apply_async(eta=eta)
value = result.get(timeout=60)
print(json.dumps({"value": value, "id": result.id, "eta": eta.timestamp()}))
