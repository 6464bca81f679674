import NIOCore

extension AMQPChannel {
    /// basic.consume: the queue's messages as an async sequence. With `noAck` the broker
    /// forgets each message as it sends it; otherwise ack, nack or reject every delivery and
    /// bound the unacked ones with `basicQos(prefetchCount:)`. Dropping every copy of the
    /// returned consumer (or cancelling the task that iterates it) cancels it at the broker.
    public func consume(queue: String, consumerTag: String = "", noAck: Bool = false, exclusive: Bool = false,
                        arguments: AMQPTable = [:]) async throws -> AMQPConsumer {
        // Choosing the tag here lets the stream cancel the consumer if its reader goes away.
        let tag = consumerTag.isEmpty ? "ctag-\(id)-\(UInt64.random(in: 0...UInt64.max))" : consumerTag
        let (stream, sink) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        sink.onTermination = { [id, connection] termination in
            if case .cancelled = termination {
                connection.onLoop { handler in handler.abandonConsumer(tag: tag, on: id) }
            }
        }
        _ = try await rpc(.basicConsume(.init(queue: queue, consumerTag: tag, noAck: noAck, exclusive: exclusive,
                                              arguments: arguments)),
                          expecting: [AMQP.Basic.ConsumeOk.self], purpose: .consume(tag: tag, sink: sink))
        return AMQPConsumer(consumerTag: tag, channel: self, stream: stream)
    }

    /// basic.cancel; the consumer's sequence then ends normally.
    public func cancel(consumerTag: String) async throws {
        _ = try await rpc(.basicCancel(.init(consumerTag: consumerTag)), expecting: [AMQP.Basic.CancelOk.self],
                          purpose: .cancel(tag: consumerTag))
    }

    /// basic.get: fetches one message, or nil when the queue is empty.
    public func get(queue: String, noAck: Bool = false) async throws -> AMQPDelivery? {
        let reply = try await rpc(.basicGet(.init(queue: queue, noAck: noAck)),
                                  expecting: [AMQP.Basic.GetOk.self, AMQP.Basic.GetEmpty.self])
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
