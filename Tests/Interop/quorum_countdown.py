"""Sends one countdown task through Celery's native delayed delivery and waits for it.

Usage: CELERIAC_TEST_QUEUE_TYPE=quorum python3 quorum_countdown.py TASK X Y COUNTDOWN
Prints JSON: the result, the seconds from send to result, and how many messages the first
delay level held right after the send (the task waits in the broker, not in a worker).
"""
import json
import sys
import time

from fixapp import app

task, x, y, countdown = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
start = time.monotonic()
result = app.send_task(task, (x, y), countdown=countdown)
# The highest bit of the countdown picks the first level the message waits in.
level = countdown.bit_length() - 1
# The publish is not confirmed, and this looks from another connection: look until the
# message shows, for at most half of its wait at that level.
held = 0
with app.connection_for_write() as connection:
    deadline = time.monotonic() + (1 << level) / 2
    while held == 0 and time.monotonic() < deadline:
        held = connection.default_channel.queue_declare(f"celery_delayed_{level}", passive=True).message_count
        time.sleep(0.02)
value = result.get(timeout=60)
print(json.dumps({"value": value, "elapsed": time.monotonic() - start, "held": held, "level": level}))
