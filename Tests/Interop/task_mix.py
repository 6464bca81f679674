#!/usr/bin/env python3
"""Publish a mix of tasks that lands in every task state, for the dashboard and its tests.

    CELERIAC_TEST_AMQP_URL=amqp://... python3 Tests/Interop/task_mix.py [--count N]
        [--long N] [--long-seconds S] [--queue-b NAME] [--broker URL]

Uses fixapp's Celery app (Tests/Interop/fixapp.py). One unit of the mix (--count
multiplies it):

  expired        fix.sleep(1) with `expires` already in the past: the worker revokes it on
                 receipt (task-revoked, expired=True), no matter how busy it is
  succeeded      fix.add, fix.mul, fix.xsum, fix.lookup("alpha"), and fix.add / fix.mul on
                 the second queue (--queue-b, default mix.b)
  failed         fix.fail with two different messages (ValueError), fix.fail on the second
                 queue, fix.lookup of an unknown key (KeyError)
  retried        fix.retry_then_succeed: RETRY once (countdown 1 s), then SUCCESS
  revoked_by_id  fix.sleep(30) with countdown=30, then app.control.revoke(id); the worker
                 holds it as an ETA task and reports it revoked when its countdown ends
  started        --long (default 2) fix.sleep(--long-seconds, default 20): STARTED for a
                 while; every other one goes to the second queue

The ids are printed as one JSON object on standard output:
  {"expired": [...], "succeeded": [...], "failed": [...], "retried": [...],
   "revoked_by_id": [...], "started": [...], "queues": {"celery": [...], "mix.b": [...]}}
It does not wait for any result (the workers may be slow or absent): it exits as soon as
everything is published. Needs a worker consuming both queues, e.g. Scripts/start-demo-cluster.sh.
"""
import argparse
import json
import os
import sys
import uuid
from datetime import datetime, timedelta, timezone


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--count", type=int, default=1, help="how many times to send the mix (1)")
    ap.add_argument("--long", type=int, default=2,
                    help="long-running fix.sleep tasks per unit of the mix (2)")
    ap.add_argument("--long-seconds", type=float, default=20,
                    help="how long each long-running task sleeps (20)")
    ap.add_argument("--queue-b", default="mix.b", help="the second queue (mix.b)")
    ap.add_argument("--broker", help="broker URL (default: $CELERIAC_TEST_AMQP_URL)")
    args = ap.parse_args(argv)

    if args.broker:
        os.environ["CELERIAC_TEST_AMQP_URL"] = args.broker
    if not os.environ.get("CELERIAC_TEST_AMQP_URL"):
        sys.exit("task_mix: set CELERIAC_TEST_AMQP_URL (eval \"$(bash Scripts/rabbitmq-node.sh env)\") "
                 "or pass --broker URL")
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import fixapp  # noqa: E402  (needs the broker URL in the environment first)

    app = fixapp.app
    qa = app.conf.task_default_queue or "celery"
    qb = args.queue_b
    out = {k: [] for k in ("expired", "succeeded", "failed", "retried", "revoked_by_id",
                           "started")}
    out["queues"] = {qa: [], qb: []}

    with app.producer_or_acquire() as producer:
        producer.connection.ensure_connection(max_retries=3)  # fail fast without a broker

        def send(kind, task, args_=(), queue=None, **options):
            queue = queue or qa
            # ignore_result: with the rpc:// backend a result-wanting call would declare a
            # reply queue for this short-lived process, left behind filling with results
            # (and shown by the dashboard's Queues screen); the events carry the results.
            result = task.apply_async(args_, queue=queue, producer=producer,
                                      ignore_result=True, **options)
            out[kind].append(result.id)
            out["queues"].setdefault(queue, []).append(result.id)
            return result.id

        for n in range(args.count):
            # Expired first: published before the long sleeps fill the workers' prefetch, so
            # a worker receives (and revokes) them at once.
            past = datetime.now(timezone.utc) - timedelta(seconds=1)
            send("expired", fixapp.sleep, (1,), expires=past)
            send("expired", fixapp.sleep, (1,), queue=qb, expires=past)

            send("succeeded", fixapp.add, (2 + n, 3))
            send("succeeded", fixapp.mul, (6, 7 + n))
            send("succeeded", fixapp.xsum, (list(range(1, 11 + n)),))
            send("succeeded", fixapp.lookup, ("alpha",))
            send("succeeded", fixapp.add, (40, 2 + n), queue=qb)
            send("succeeded", fixapp.mul, (3, 3 + n), queue=qb)

            send("failed", fixapp.fail, ("database unavailable: connection reset",))
            send("failed", fixapp.fail, ("invalid quantity: -%d" % (n + 1),))
            send("failed", fixapp.fail, ("payment declined",), queue=qb)
            send("failed", fixapp.lookup, ("missing-key-%d" % n,))

            send("retried", fixapp.retry_then_succeed, ("mix-%s" % uuid.uuid4().hex[:8],))

            send("revoked_by_id", fixapp.sleep, (30,), countdown=30)

            for i in range(args.long):
                send("started", fixapp.sleep, (args.long_seconds,),
                     queue=(qb if i % 2 else qa))

    if out["revoked_by_id"]:
        # A broadcast: every worker adds the ids to its revoked set, and discards the
        # tasks when their countdown ends.
        app.control.revoke(out["revoked_by_id"])

    json.dump(out, sys.stdout)
    sys.stdout.write("\n")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
