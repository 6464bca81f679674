/// The messages of one basic.consume, as an async sequence. It ends normally after
/// `cancel()`, and with an error when the channel or connection closes or the broker
/// cancels the consumer — it never hangs on a dead connection.
public struct AMQPConsumer: AsyncSequence, Sendable {
    public typealias Element = AMQPDelivery

    public let consumerTag: String
    public let channel: AMQPChannel
    let stream: AsyncThrowingStream<AMQPDelivery, any Error>

    public func makeAsyncIterator() -> AsyncThrowingStream<AMQPDelivery, any Error>.AsyncIterator {
        stream.makeAsyncIterator()
    }

    /// Stops deliveries (basic.cancel); messages already delivered stay unacked until acked.
    public func cancel() async throws {
        try await channel.cancel(consumerTag: consumerTag)
    }
}
