"""Celery's side of `celeriac bench monitor`: the same recorded event stream (JSON lines)
merged into celery.events.state.State, bounded to the same number of tasks.

Prints one JSON object: events per second (json.loads + State.event, as a monitor receives
them) and the resident memory the state added.
"""
import argparse
import json
import time

from celery.events.state import State


def resident_bytes():
    import os
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", required=True)
    parser.add_argument("--max-tasks", type=int, required=True)
    options = parser.parse_args()
    with open(options.events, "rb") as stream:
        data = stream.read()
    lines = data.split(b"\n")
    before = resident_bytes()
    state = State(max_tasks_in_memory=options.max_tasks, max_workers_in_memory=1000)
    count = 0
    started = time.perf_counter()
    for line in lines:
        if not line:
            continue
        event = json.loads(line)
        event["local_received"] = time.time()  # as Celery's EventReceiver stamps each event
        state.event(event)
        count += 1
    elapsed = time.perf_counter() - started
    added = resident_bytes() - before
    print(json.dumps({"client": "celery.events.state.State", "events": count,
                      "events_per_s": count / elapsed, "rss_bytes": added,
                      "tasks_held": len(state.tasks)}))


if __name__ == "__main__":
    main()
