"""Python Celery 5.7 end to end on the broker under test ($CELERIAC_TEST_AMQP_URL, in a vhost
of its own): a `celery worker -E`, tasks sent by a client with results over rpc://, and
Celery's own command line against the same broker — `celery inspect ping`,
`celery events --dump` and `celery purge`. Prints JSON with what each of them saw.
"""
import json
import os
import queue
import subprocess
import sys
import threading
import time
import uuid

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from fixapp import add, app  # noqa: E402

tasks_queue = f"e2e-{uuid.uuid4().hex[:8]}"
idle_queue = f"e2e-idle-{uuid.uuid4().hex[:8]}"
node = f"e2e-{uuid.uuid4().hex[:8]}@localhost"


def celery_command(*arguments):
    return subprocess.run([sys.executable, "-m", "celery", "-A", "fixapp", *arguments],
                          cwd=here, capture_output=True, text=True, timeout=60)


def lines_of(process):
    """The process's output lines, read on a thread so the caller can wait with a timeout."""
    lines = queue.Queue()

    def pump():
        for line in process.stdout:
            lines.put(line)
    threading.Thread(target=pump, daemon=True).start()
    return lines


def wait_for_line(lines, predicate, seconds, seen):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            line = lines.get(timeout=max(0.0, deadline - time.time()))
        except queue.Empty:
            break
        seen.append(line)
        if predicate(line):
            return True
    return False


worker = subprocess.Popen(
    [sys.executable, "-m", "celery", "-A", "fixapp", "worker", "-E", "-P", "solo", "-Q", tasks_queue, "-n", node,
     "--without-gossip", "--without-mingle", "-l", "warning"],
    cwd=here, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
dump = None
try:
    deadline = time.time() + 30
    while not app.control.ping(destination=[node], timeout=0.5):
        if time.time() > deadline or worker.poll() is not None:
            raise SystemExit("the Celery worker did not come up")
    output = {"ping": celery_command("inspect", "ping", "-d", node, "--timeout", "5").stdout}

    # The dump's receiver is bound once it prints the worker's heartbeat (one every 2 s).
    dump = subprocess.Popen([sys.executable, "-m", "celery", "-A", "fixapp", "events", "--dump"],
                            cwd=here, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    dumped = []
    dump_lines = lines_of(dump)
    output["dump_ready"] = wait_for_line(dump_lines, lambda line: node in line, 20, dumped)

    results = [add.apply_async((i, i), queue=tasks_queue) for i in range(5)]
    output["results"] = [result.get(timeout=30) for result in results]
    ids = {result.id for result in results}
    succeeded = set()

    def saw_all_succeed(line):
        if "succeeded" in line:
            succeeded.update(task_id for task_id in ids if task_id in line)
        return succeeded == ids
    wait_for_line(dump_lines, saw_all_succeed, 20, dumped)
    output["events_succeeded"] = len(succeeded)
    output["dump_sample"] = "".join(dumped[-3:])

    for i in range(3):
        add.apply_async((i, i), queue=idle_queue)  # declares the queue; nobody consumes it
    output["purge"] = celery_command("purge", "-f", "-Q", idle_queue).stdout.strip()
    with app.connection_for_write() as connection:
        output["left_after_purge"] = connection.default_channel.queue_declare(idle_queue, passive=True).message_count
        connection.default_channel.queue_delete(idle_queue)
    print(json.dumps(output))
finally:
    if dump is not None:
        dump.terminate()
        dump.wait(timeout=30)
    worker.terminate()
    worker.wait(timeout=30)
