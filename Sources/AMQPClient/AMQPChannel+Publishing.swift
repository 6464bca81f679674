import NIOCore

extension AMQPChannel {
    /// A publisher may run this far ahead of the socket before it waits for the bytes to be
    /// written: memory stays bounded however fast it publishes.
    static let publishWindowBytes = 1 << 20

    /// basic.publish. Returns once the message is on its way; a publisher that outruns the
    /// socket (or a broker that blocked the connection) waits here. With confirms on, use
    /// `waitForConfirms()` or `publishConfirmed` to know the broker has it.
    public func publish(_ body: ByteBuffer, exchange: String = "", routingKey: String, mandatory: Bool = false,
                        properties: AMQPBasicProperties = AMQPBasicProperties()) async throws {
        try await send(body, exchange: exchange, routingKey: routingKey, mandatory: mandatory,
                       properties: properties, confirm: nil)
    }

    /// Publishes and waits for the broker's confirm. Throws `publishNacked` if the broker
    /// refused the message and `unroutable` if a mandatory message matched no queue.
    public func publishConfirmed(_ body: ByteBuffer, exchange: String = "", routingKey: String,
                                 mandatory: Bool = false, properties: AMQPBasicProperties = AMQPBasicProperties())
        async throws
    {
        try await publishAwaitingConfirm(body, exchange: exchange, routingKey: routingKey, mandatory: mandatory,
                                         properties: properties).get()
    }

    /// Publishes and returns once the message is on its way, as `publish` does, with a future
    /// the broker's confirm completes (failed as `publishConfirmed` throws). A publisher that
    /// keeps many confirms outstanding chains work onto these futures instead of waiting in
    /// a Swift task per message, which costs more than the publish itself.
    public func publishAwaitingConfirm(_ body: ByteBuffer, exchange: String = "", routingKey: String,
                                       mandatory: Bool = false, properties: AMQPBasicProperties = AMQPBasicProperties())
        async throws -> EventLoopFuture<Void>
    {
        let confirm = connection.eventLoop.makePromise(of: Void.self)
        try await send(body, exchange: exchange, routingKey: routingKey, mandatory: mandatory,
                       properties: properties, confirm: confirm)
        return confirm.futureResult
    }

    private func send(_ body: ByteBuffer, exchange: String, routingKey: String, mandatory: Bool,
                      properties: AMQPBasicProperties, confirm: EventLoopPromise<Void>?) async throws {
        if let error = closed.error ?? connection.closed.error {
            confirm?.fail(error)
            throw error
        }
        // Encoding here, off the event loop, spreads the work and reports bad names at once.
        var frames = connection.nioChannel.allocator.buffer(capacity: body.readableBytes + 128)
        do {
            try frames.writeAMQPContent(
                channel: id, method: .basicPublish(.init(exchange: exchange, routingKey: routingKey, mandatory: mandatory)),
                properties: properties, body: body, maximumFrameSize: connection.frameMax)
        } catch {
            confirm?.fail(AMQPClientError.invalidArgument(error))
            throw AMQPClientError.invalidArgument(error)
        }
        let size = frames.readableBytes
        let mustWait = unsentBytes.withLockedValue { unsent in
            unsent += size
            if unsent >= Self.publishWindowBytes {
                unsent = 0
                return true
            }
            return false
        }
        let written = mustWait ? connection.eventLoop.makePromise(of: Void.self) : nil
        connection.send(.publish(.init(frames: frames, channel: id, confirm: confirm, written: written)))
        try await written?.futureResult.get()
    }

    // MARK: Acknowledgements

    public func ack(deliveryTag: UInt64, multiple: Bool = false) throws(AMQPClientError) {
        try settle(deliveryTag, .ack(multiple: multiple))
    }

    public func nack(deliveryTag: UInt64, multiple: Bool = false, requeue: Bool = true) throws(AMQPClientError) {
        try settle(deliveryTag, .nack(multiple: multiple, requeue: requeue))
    }

    public func reject(deliveryTag: UInt64, requeue: Bool = true) throws(AMQPClientError) {
        try settle(deliveryTag, .reject(requeue: requeue))
    }

    /// Redelivers every unacked message of this channel (basic.recover).
    public func recover(requeue: Bool = true) async throws {
        _ = try await rpc(.basicRecover(.init(requeue: requeue)), expecting: [AMQP.Basic.RecoverOk.self])
    }

    /// Through the outbox, behind the publishes made before it: a late ack never overtakes
    /// the messages its task published.
    private func settle(_ deliveryTag: UInt64, _ kind: Outbox.Settlement.Kind) throws(AMQPClientError) {
        try checkOpen()
        connection.send(.settle(.init(channel: id, deliveryTag: deliveryTag, kind: kind)))
    }
}
