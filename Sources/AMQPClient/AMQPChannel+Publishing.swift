import NIOCore

extension AMQPChannel {
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
        let method = AMQPMethod.basicPublish(.init(exchange: exchange, routingKey: routingKey, mandatory: mandatory))
        let frameMax = connection.frameMax
        let outcome = connection.outbox.publish(on: id, confirm: confirm, eventLoop: connection.eventLoop) {
            (frames: inout ByteBuffer) throws(AMQPProtocolError) in
            try frames.writeAMQPContent(channel: id, method: method, properties: properties, body: body,
                                        maximumFrameSize: frameMax)
        }
        let written: EventLoopPromise<Void>?
        switch outcome {
        case .failure(let error):
            confirm?.fail(AMQPClientError.invalidArgument(error))
            throw AMQPClientError.invalidArgument(error)
        case .success(let outcome):
            written = outcome.written
            if outcome.mustScheduleDrain { connection.scheduleDrain() }
        }
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
