"""Broker behaviours a client can observe, checked with pika 1.4.4 and py-amqp (Celery's
client) against the broker at argv[1]. The same script runs against RabbitMQ and against
celeriac broker, so what it checks is what RabbitMQ does. Prints one JSON object: each
check's name and "ok", or what went wrong.
"""
import json
import sys
import time
import uuid

import amqp
import pika

URL = sys.argv[1]
results = {}


def check(name):
    def wrap(function):
        try:
            function()
            results[name] = "ok"
        except Exception as error:  # a failed check is reported, not raised
            results[name] = f"{type(error).__name__}: {error}"
        return function
    return wrap


def connect():
    return pika.BlockingConnection(pika.URLParameters(URL))


def unique(prefix):
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


@check("py-amqp logs in (AMQPLAIN first) and round-trips a message")
def _():
    params = pika.URLParameters(URL)
    vhost = params.virtual_host
    connection = amqp.Connection(host=f"{params.host}:{params.port}", userid=params.credentials.username,
                                 password=params.credentials.password, virtual_host=vhost)
    connection.connect()
    channel = connection.channel()
    channel.confirm_select()  # basic_publish then waits for the broker's ack: the message is queued
    name = unique("pyamqp")
    channel.queue_declare(name, auto_delete=True)
    channel.basic_publish(amqp.Message("hello", content_type="text/plain", application_headers={"n": 1}),
                          routing_key=name)
    message = channel.basic_get(name)
    assert message is not None and message.body == "hello", message
    assert message.properties.get("application_headers") == {"n": 1}, message.properties
    channel.basic_ack(message.delivery_tag)
    connection.close()


@check("an exclusive queue is locked to its connection (405)")
def _():
    first, second = connect(), connect()
    name = unique("exclusive")
    first.channel().queue_declare(name, exclusive=True)
    try:
        second.channel().queue_declare(name, passive=True)
        raise AssertionError("another connection reached an exclusive queue")
    except pika.exceptions.ChannelClosedByBroker as error:
        assert error.reply_code == 405, error
    first.close()
    second.close()


@check("topic routing matches words as RabbitMQ does, empty words included")
def _():
    connection = connect()
    channel = connection.channel()
    channel.confirm_delivery()  # a confirmed publish is routed: no sleep needed before reading
    exchange = unique("topic")
    channel.exchange_declare(exchange, "topic", auto_delete=True)
    expectations = {"a.*.c": ["a.b.c", "a..c"], "#.z": ["z", "y.z"], "a.#": ["a", "a.b.c"]}
    queues = {}
    for pattern in expectations:
        queue = channel.queue_declare("", exclusive=True).method.queue
        channel.queue_bind(queue, exchange, pattern)
        queues[pattern] = queue
    for key in ["a.b.c", "a..c", "z", "y.z", "a", "b.c", "a.b"]:
        channel.basic_publish(exchange, key, key.encode())
    for pattern, keys in expectations.items():
        got = []
        while True:
            method, _, body = channel.basic_get(queues[pattern], auto_ack=True)
            if method is None:
                break
            got.append(body.decode())
        if pattern == "a.#":
            keys = ["a.b.c", "a..c", "a", "a.b"]
        assert sorted(got) == sorted(keys), (pattern, got, keys)
    connection.close()


@check("headers exchange: x-match all and any")
def _():
    connection = connect()
    channel = connection.channel()
    channel.confirm_delivery()  # a confirmed publish is routed: no sleep needed before reading
    exchange = unique("headers")
    channel.exchange_declare(exchange, "headers", auto_delete=True)
    all_queue = channel.queue_declare("", exclusive=True).method.queue
    any_queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(all_queue, exchange, arguments={"x-match": "all", "a": 1, "b": "x"})
    channel.queue_bind(any_queue, exchange, arguments={"x-match": "any", "a": 1, "b": "x"})
    channel.basic_publish(exchange, "", b"both", pika.BasicProperties(headers={"a": 1, "b": "x"}))
    channel.basic_publish(exchange, "", b"one", pika.BasicProperties(headers={"a": 1}))
    counts = [channel.queue_declare(q, passive=True).method.message_count for q in (all_queue, any_queue)]
    assert counts == [1, 2], counts
    connection.close()


@check("mandatory publish with no route is returned (312)")
def _():
    connection = connect()
    channel = connection.channel()
    channel.confirm_delivery()
    try:
        channel.basic_publish("", unique("nowhere"), b"x", mandatory=True)
        raise AssertionError("unroutable message was not returned")
    except pika.exceptions.UnroutableError as error:
        assert error.messages[0].method.reply_code == 312, error.messages[0].method
    connection.close()


@check("a full reject-publish queue nacks the publisher")
def _():
    connection = connect()
    channel = connection.channel()
    channel.confirm_delivery()
    name = unique("full")
    channel.queue_declare(name, auto_delete=True, arguments={"x-max-length": 1, "x-overflow": "reject-publish"})
    channel.basic_publish("", name, b"first")
    try:
        channel.basic_publish("", name, b"second")
        raise AssertionError("the second publish was confirmed")
    except pika.exceptions.NackError:
        pass
    assert channel.queue_declare(name, passive=True).method.message_count == 1
    connection.close()


@check("rejected and expired messages are dead-lettered with x-death")
def _():
    connection = connect()
    channel = connection.channel()
    dead = unique("dead")
    source = unique("source")
    channel.queue_declare(dead, auto_delete=True)
    channel.queue_declare(source, auto_delete=True, arguments={
        "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead})
    channel.basic_publish("", source, b"rejected")
    channel.basic_publish("", source, b"expires", pika.BasicProperties(expiration="100"))
    method, _, _ = channel.basic_get(source)
    channel.basic_reject(method.delivery_tag, requeue=False)
    time.sleep(0.5)  # the second one's TTL passes with nobody reading the queue
    deaths = {}
    for _ in range(2):
        method, properties, body = channel.basic_get(dead, auto_ack=True)
        assert method is not None, "a dead-lettered message is missing"
        death = properties.headers["x-death"][0]
        deaths[body.decode()] = (death["reason"], death["queue"], death["count"], death["routing-keys"])
        if body == b"expires":
            assert properties.expiration is None, properties.expiration
    assert deaths == {"rejected": ("rejected", source, 1, [source]),
                      "expires": ("expired", source, 1, [source])}, deaths
    connection.close()


@check("deleting a queue cancels its consumers (basic.cancel)")
def _():
    connection = connect()
    channel = connection.channel()
    name = unique("doomed")
    channel.queue_declare(name)
    cancelled = []
    channel.add_on_cancel_callback(lambda frame: cancelled.append(frame.method.consumer_tag))
    tag = channel.basic_consume(name, lambda *args: None)
    other = connection.channel()
    other.queue_delete(name)
    deadline = time.time() + 5
    while not cancelled and time.time() < deadline:
        connection.process_data_events(time_limit=0.1)
    assert cancelled == [tag], cancelled
    connection.close()


@check("priorities: higher first, up to x-max-priority")
def _():
    connection = connect()
    channel = connection.channel()
    channel.confirm_delivery()  # a confirmed publish is routed: no sleep needed before reading
    name = unique("prio")
    channel.queue_declare(name, auto_delete=True, arguments={"x-max-priority": 5})
    for body, priority in [("low", 0), ("mid", 3), ("capped", 9), ("high", 5)]:
        channel.basic_publish("", name, body.encode(), pika.BasicProperties(priority=priority))
    order = []
    while True:
        method, _, body = channel.basic_get(name, auto_ack=True)
        if method is None:
            break
        order.append(body.decode())
    assert order == ["capped", "high", "mid", "low"], order
    connection.close()


@check("acking an unknown delivery tag closes the channel (406)")
def _():
    connection = connect()
    channel = connection.channel()
    channel.basic_ack(999)
    try:
        channel.queue_declare(unique("after"), auto_delete=True)
        raise AssertionError("the channel stayed open")
    except pika.exceptions.ChannelClosedByBroker as error:
        assert error.reply_code == 406, error
    connection.close()


@check("a user_id other than the connection's user is refused (406)")
def _():
    connection = connect()
    channel = connection.channel()
    try:
        channel.basic_publish("", "x", b"", pika.BasicProperties(user_id="someone-else"))
        channel.queue_declare(unique("after"), auto_delete=True)
        raise AssertionError("the publish was accepted")
    except pika.exceptions.ChannelClosedByBroker as error:
        assert error.reply_code == 406, error
    connection.close()


@check("an inequivalent redeclare names the argument (406)")
def _():
    connection = connect()
    channel = connection.channel()
    name = unique("redeclare")
    channel.queue_declare(name, auto_delete=True, arguments={"x-max-priority": 5})
    try:
        connection.channel().queue_declare(name, auto_delete=True, arguments={"x-max-priority": 10})
        raise AssertionError("the redeclare was accepted")
    except pika.exceptions.ChannelClosedByBroker as error:
        assert error.reply_code == 406 and "x-max-priority" in error.reply_text, error
    connection.close()


@check("exchange-to-exchange bindings route through")
def _():
    connection = connect()
    channel = connection.channel()
    channel.confirm_delivery()
    front, back = unique("front"), unique("back")
    channel.exchange_declare(front, "fanout", auto_delete=True)
    channel.exchange_declare(back, "direct", auto_delete=True)
    channel.exchange_bind(back, front)
    queue = channel.queue_declare("", exclusive=True).method.queue
    channel.queue_bind(queue, back, "k")
    channel.basic_publish(front, "k", b"through")
    channel.basic_publish(front, "other", b"not")
    assert channel.queue_declare(queue, passive=True).method.message_count == 1
    connection.close()


@check("unacked messages come back in order, redelivered, when the channel closes")
def _():
    connection = connect()
    channel = connection.channel()
    channel.confirm_delivery()  # a confirmed publish is routed: no sleep needed before reading
    name = unique("requeue")
    channel.queue_declare(name, auto_delete=False)
    for index in range(3):
        channel.basic_publish("", name, str(index).encode())
    taker = connection.channel()
    for _ in range(3):
        method, _, _ = taker.basic_get(name)
        assert method is not None
    taker.close()
    got = []
    for _ in range(3):
        method, _, body = channel.basic_get(name, auto_ack=True)
        got.append((body.decode(), method.redelivered))
    assert got == [("0", True), ("1", True), ("2", True)], got
    channel.queue_delete(name)
    connection.close()


print(json.dumps(results))
