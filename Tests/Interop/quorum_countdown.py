"""Sends one countdown task through Celery's native delayed delivery and waits for it.

Usage: CELERIAC_TEST_QUEUE_TYPE=quorum python3 quorum_countdown.py TASK X Y COUNTDOWN
Prints JSON: the result, the seconds from send to result, and how many messages the delay
levels held right after the send (the task waits in the broker, not in a worker), and how
long the send took (the levels are watched only until the countdown is over).
"""
import json
import sys
import time

from fixapp import app

task, x, y, countdown = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
# The highest bit of the countdown picks the first level the message waits in; it then
# steps down through the lower levels. Confirmed publishes mean the message is in a level
# when send_task returns.
level = countdown.bit_length() - 1
app.conf.broker_transport_options = {"confirm_publish": True}
with app.connection_for_write() as connection:
    channel = connection.default_channel  # connected before the clock starts

    def held_in_levels():
        # Lowest level first: the message only moves down, so it is never counted twice.
        return sum(channel.queue_declare(f"celery_delayed_{n}", passive=True).message_count
                   for n in range(level + 1))

    start = time.monotonic()
    result = app.send_task(task, (x, y), countdown=countdown)
    sent_in = time.monotonic() - start
    # Look from this second connection until the message shows, while it can still be
    # waiting in a level.
    held = 0
    while held == 0 and time.monotonic() < start + countdown:
        held = held_in_levels()
        if held == 0:
            time.sleep(0.02)
value = result.get(timeout=60)
print(json.dumps({"value": value, "elapsed": time.monotonic() - start, "held": held, "level": level, "sent_in": sent_in}))
