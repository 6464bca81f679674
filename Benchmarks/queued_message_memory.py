"""What a message waiting in a queue costs the broker in memory.

    python3 Benchmarks/queued_message_memory.py AMQP_URL BROKER_PID [--messages N]

Publishes N messages into a fresh queue twice — twenty Celery-like headers with a 10-byte
body, then no headers with a 600-byte body — and prints the growth of the broker's RSS
(from /proc/PID/status) per message for each kind. Use a broker that holds nothing else:
`celeriac broker --in-memory`, or RabbitMQ's beam.smp process.
"""
import argparse
import uuid

import pika


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise SystemExit(f"no VmRSS for process {pid}")


def fill(url, count, headers, body):
    connection = pika.BlockingConnection(pika.URLParameters(url))
    channel = connection.channel()
    channel.confirm_delivery()  # the last publish confirmed: every message is in the queue
    queue = f"memory.{uuid.uuid4().hex[:8]}"
    channel.queue_declare(queue, auto_delete=False)
    properties = pika.BasicProperties(headers=headers, content_type="application/json")
    for _ in range(count):
        channel.basic_publish("", queue, body, properties)
    connection.close()
    return queue


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("pid", type=int)
    parser.add_argument("--messages", type=int, default=50_000)
    arguments = parser.parse_args()
    kinds = [
        ("20 headers, 10-byte body", {f"header-{i}": f"value-{i}-xxxxxxxx" for i in range(20)}, b"x" * 10),
        ("no headers, 600-byte body", None, b"x" * 600),
    ]
    for label, headers, body in kinds:
        before = rss_kib(arguments.pid)
        fill(arguments.url, arguments.messages, headers, body)
        grown = (rss_kib(arguments.pid) - before) * 1024
        print(f"{label}: {grown / arguments.messages:,.0f} bytes of RSS per queued message")


if __name__ == "__main__":
    main()
