#!/usr/bin/env python3
"""Baseline AMQP throughput with pika 1.4.4 (pip install pika==1.4.4).

    python3 Benchmarks/pika_amqp_bench.py --url "$CELERIAC_TEST_AMQP_URL"

1. Declares a fresh durable queue (deleted first).
2. Publishes N persistent messages (delivery_mode=2) with publisher confirms,
   timed. With BlockingConnection, `confirm_delivery()` makes every
   basic_publish wait for its Basic.Ack before returning: one confirm round
   trip per message. That is how pika users publish reliably, so it is the
   baseline to compare against.
3. Consumes all N with manual acks and prefetch 100 (one basic_ack per
   message), timed.
4. Deletes the queue and prints one JSON line.
"""

import argparse
import json
import sys
import time

import pika

PIKA_VERSION = "1.4.4"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", default="amqp://guest:guest@127.0.0.1:21672/%2F")
    ap.add_argument("--messages", type=int, default=20000)
    ap.add_argument("--size", type=int, default=100, help="body size in bytes")
    ap.add_argument("--queue", default="celeriac.bench.pika")
    args = ap.parse_args()

    if pika.__version__ != PIKA_VERSION:
        print(f"warning: pika {pika.__version__} installed, expected {PIKA_VERSION}", file=sys.stderr)

    n = args.messages
    body = b"x" * args.size
    conn = pika.BlockingConnection(pika.URLParameters(args.url))
    ch = conn.channel()
    ch.queue_delete(queue=args.queue)
    ch.queue_declare(queue=args.queue, durable=True)

    # --- publish ------------------------------------------------------------
    ch.confirm_delivery()
    props = pika.BasicProperties(delivery_mode=pika.DeliveryMode.Persistent)
    t0 = time.perf_counter()
    for _ in range(n):
        # Raises UnroutableError / NackError if the broker does not confirm.
        ch.basic_publish(exchange="", routing_key=args.queue, body=body, properties=props)
    publish_s = time.perf_counter() - t0

    # --- consume ------------------------------------------------------------
    ch.basic_qos(prefetch_count=100)
    received = 0

    def on_message(channel, method, _properties, _body):
        nonlocal received
        channel.basic_ack(delivery_tag=method.delivery_tag)
        received += 1
        if received == n:
            channel.stop_consuming()

    t0 = time.perf_counter()
    if n > 0:
        ch.basic_consume(queue=args.queue, on_message_callback=on_message, auto_ack=False)
        ch.start_consuming()
    consume_s = time.perf_counter() - t0

    ch.queue_delete(queue=args.queue)
    conn.close()

    print(json.dumps({
        "client": f"pika {PIKA_VERSION}",
        "messages": n,
        "publish_msgs_per_s": round(n / publish_s, 1) if publish_s > 0 else None,
        "consume_msgs_per_s": round(n / consume_s, 1) if consume_s > 0 else None,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main())
