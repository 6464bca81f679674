import NIOCore

extension AMQPChannel {
    /// basic.consume: the queue's messages as an async sequence. With `noAck` the broker
    /// forgets each message as it sends it; otherwise ack, nack or reject every delivery and
    /// bound the unacked ones with `basicQos(prefetchCount:)`. Dropping every copy of the
    /// returned consumer (or cancelling the task that iterates it) cancels it at the broker.
    public func consume(queue: String, consumerTag: String = "", noAck: Bool = false, exclusive: Bool = false,
                        arguments: AMQPTable = [:]) async throws -> AMQPConsumer {
        // Choosing the tag here lets the stream cancel the consumer if its reader goes away.
        let tag = consumerTag.isEmpty ? makeConsumerTag() : consumerTag
        let (stream, continuation) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        continuation.onTermination = { [id, connection] termination in
            if case .cancelled = termination {
                connection.onLoop { handler in handler.abandonConsumer(tag: tag, on: id) }
            }
        }
        try await startConsumer(queue: queue, tag: tag, noAck: noAck, exclusive: exclusive, arguments: arguments,
                                sink: DeliverySink(continuation))
        return AMQPConsumer(consumerTag: tag, channel: self, stream: stream)
    }

    /// basic.consume, push-style: `onDelivery` is called on the connection's event loop for
    /// each message as it arrives — no task hop in between, for consumers that hand messages
    /// on at once. `onEnd` is called once, with nil after `cancel(consumerTag:)` or a close of
    /// our own, else with the error that ended the consumer. Both must return quickly and
    /// never block. Returns the consumer tag.
    @discardableResult
    public func consume(queue: String, consumerTag: String = "", noAck: Bool = false, exclusive: Bool = false,
                        arguments: AMQPTable = [:], onDelivery: @escaping @Sendable (AMQPDelivery) -> Void,
                        onEnd: @escaping @Sendable ((any Error)?) -> Void) async throws -> String {
        let tag = consumerTag.isEmpty ? makeConsumerTag() : consumerTag
        try await startConsumer(queue: queue, tag: tag, noAck: noAck, exclusive: exclusive, arguments: arguments,
                                sink: DeliverySink(deliver: onDelivery, end: onEnd))
        return tag
    }

    private func makeConsumerTag() -> String { "ctag-\(id)-\(UInt64.random(in: 0...UInt64.max))" }

    private func startConsumer(queue: String, tag: String, noAck: Bool, exclusive: Bool, arguments: AMQPTable,
                               sink: DeliverySink) async throws {
        _ = try await rpc(.basicConsume(.init(queue: queue, consumerTag: tag, noAck: noAck, exclusive: exclusive,
                                              arguments: arguments)),
                          expecting: [AMQP.Basic.ConsumeOk.self], purpose: .consume(tag: tag, noAck: noAck, sink: sink))
    }

    /// basic.cancel; the consumer's sequence then ends normally.
    public func cancel(consumerTag: String) async throws {
        _ = try await rpc(.basicCancel(.init(consumerTag: consumerTag)), expecting: [AMQP.Basic.CancelOk.self],
                          purpose: .cancel(tag: consumerTag))
    }

    /// basic.get: fetches one message, or nil when the queue is empty.
    public func get(queue: String, noAck: Bool = false) async throws -> AMQPDelivery? {
        let reply = try await rpc(.basicGet(.init(queue: queue, noAck: noAck)),
                                  expecting: [AMQP.Basic.GetOk.self, AMQP.Basic.GetEmpty.self],
                                  purpose: .get(noAck: noAck))
        switch reply {
        case .method(.basicGetEmpty):
            return nil
        case .message(let message):
            guard case .basicGetOk(let ok) = message.method else { throw unexpected(reply, AMQP.Basic.GetOk.name) }
            return AMQPDelivery(deliveryTag: ok.deliveryTag, redelivered: ok.redelivered, exchange: ok.exchange,
                                routingKey: ok.routingKey, consumerTag: "", properties: message.header.properties,
                                body: message.body, channel: self)
        default:
            throw unexpected(reply, AMQP.Basic.GetOk.name)
        }
    }
}
