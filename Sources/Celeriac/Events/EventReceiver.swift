/// Listens to a cluster's events: binds a queue of its own to the `celeryev` topic exchange
/// and decodes single events and `task.multi` batches alike. Messages that are not events
/// are skipped rather than ending the stream: one bad sender must not blind a monitor.
public enum EventReceiver {
    /// The events matching `routingKey` ("#" for all, "worker.#" for worker events).
    public static func events(on transport: any BrokerTransport, routingKey: String = "#") async throws
        -> AsyncThrowingStream<CeleryEvent, any Error>
    {
        let messages = try await messages(on: transport, routingKey: routingKey)
        return AsyncThrowingStream { continuation in
            let pump = Task {
                do {
                    for try await received in messages {
                        let message = received.message
                        guard let events = try? EventMessage.decode(routingKey: message.routingKey, body: message.body,
                                                                    contentType: message.properties.contentType)
                        else { continue }
                        for event in events { continuation.yield(event) }
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in pump.cancel() }
        }
    }

    /// The event messages themselves, undecoded, for a reader with a decoder of its own (the
    /// monitor's): the same queue, binding and consumer as `events(on:)`.
    public static func messages(on transport: any BrokerTransport, routingKey: String = "#") async throws
        -> AsyncThrowingStream<ReceivedMessage, any Error>
    {
        try await transport.declare(ExchangeDeclaration(name: EventMessage.exchange, type: "topic"))
        let queue = QueueDeclaration.eventMonitor()
        try await transport.declare(queue)
        try await transport.bind(queue: queue.name, exchange: EventMessage.exchange, routingKey: routingKey)
        return try await transport.consume(queue: queue.name, prefetch: 0, noAck: true)
    }
}
