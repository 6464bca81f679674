import AMQPClient
import NIOConcurrencyHelpers
import NIOCore

/// The AMQP 0-9-1 transport over AMQPClient. Declares and publishes share one confirmed
/// channel; a channel the broker closed for an error is replaced on the next call, and each
/// consumer gets a channel of its own.
public actor AMQPTransport: BrokerTransport {
    public nonisolated let url: String
    private let connection: AMQPConnection
    private var channel: AMQPChannel?
    private var declaredExchanges: Set<ExchangeDeclaration> = []

    /// Connects to `url` (amqp:// or amqps://).
    public init(url: String) async throws {
        self.url = url
        let configuration: AMQPConnectionConfiguration
        do {
            configuration = try AMQPConnectionConfiguration(url: url)
        } catch {
            throw BrokerError.invalidURL(url: url, reason: error.description)
        }
        do {
            connection = try await AMQPConnection.connect(to: configuration)
        } catch {
            throw BrokerError.unreachable(url: configuration.redactedURL, reason: "\(error)")
        }
    }

    public func declare(_ exchange: ExchangeDeclaration) async throws {
        guard !declaredExchanges.contains(exchange) else { return }
        try await withChannel { channel in
            try await channel.exchangeDeclare(exchange.name, type: exchange.type, durable: exchange.durable,
                                              autoDelete: exchange.autoDelete)
        }
        declaredExchanges.insert(exchange)
    }

    @discardableResult
    public func declare(_ queue: QueueDeclaration) async throws -> QueueCounts {
        try await withChannel { channel in
            let ok = try await channel.queueDeclare(queue.name, passive: queue.passive, durable: queue.durable,
                                                    exclusive: queue.exclusive, autoDelete: queue.autoDelete,
                                                    arguments: queue.arguments.mapValues(AMQPFieldValue.init(json:)))
            return QueueCounts(messages: Int(ok.messageCount), consumers: Int(ok.consumerCount))
        }
    }

    public func bind(queue: String, exchange: String, routingKey: String) async throws {
        try await withChannel { channel in
            try await channel.queueBind(queue, exchange: exchange, routingKey: routingKey)
        }
    }

    public func publish(_ message: BrokerMessage) async throws {
        try await withChannel { channel in
            try await channel.publishConfirmed(ByteBuffer(bytes: message.body), exchange: message.exchange,
                                               routingKey: message.routingKey, mandatory: true,
                                               properties: message.properties.amqp)
        }
    }

    public func consume(queue: String, prefetch: Int, noAck: Bool) async throws
        -> AsyncThrowingStream<ReceivedMessage, any Error>
    {
        let channel = try await connection.openChannel()
        if !noAck, prefetch > 0 { try await channel.basicQos(prefetchCount: UInt16(clamping: prefetch)) }
        let consumer: AMQPConsumer
        do {
            consumer = try await channel.consume(queue: queue, noAck: noAck)
        } catch {
            throw Self.translate(error)
        }
        // Ending the stream cancels the consumer at once, but the channel stays open until
        // every message it delivered is settled: a worker stopping warm still acks the tasks
        // it is running (closing the channel would requeue them, and they would run twice).
        let unsettled = UnsettledDeliveries { Task { try? await channel.close() } }
        return AsyncThrowingStream { continuation in
            let pump = Task {
                do {
                    for try await delivery in consumer {
                        let message = BrokerMessage(exchange: delivery.exchange, routingKey: delivery.routingKey,
                                                    properties: MessageProperties(amqp: delivery.properties),
                                                    body: Array(delivery.body.readableBytesView))
                        if !noAck { unsettled.delivered() }
                        continuation.yield(ReceivedMessage(message: message, redelivered: delivery.redelivered) {
                            defer { if !noAck { unsettled.settled() } }
                            switch $0 {
                            case .ack: try delivery.ack()
                            case .reject(let requeue): try delivery.reject(requeue: requeue)
                            }
                        })
                    }
                    continuation.finish()
                } catch {
                    continuation.finish(throwing: Self.translate(error))
                }
            }
            continuation.onTermination = { _ in
                pump.cancel()
                Task {
                    try? await consumer.cancel()
                    unsettled.close()
                }
            }
        }
    }

    public func purge(queue: String) async throws -> Int {
        try await withChannel { channel in Int(try await channel.queuePurge(queue)) }
    }

    public func close() async {
        try? await connection.close()
    }

    /// Runs `body` on the shared confirmed channel, opening a new one if the last was closed.
    private func withChannel<T: Sendable>(_ body: (AMQPChannel) async throws -> T) async throws -> T {
        let channel: AMQPChannel
        if let existing = self.channel, existing.isOpen {
            channel = existing
        } else {
            do {
                channel = try await connection.openChannel()
                try await channel.confirmSelect()
            } catch {
                throw Self.translate(error)
            }
            self.channel = channel
        }
        do {
            return try await body(channel)
        } catch {
            throw Self.translate(error)
        }
    }

    static func translate(_ error: any Error) -> any Error {
        guard let error = error as? AMQPClientError else { return error }
        switch error {
        case .unroutable(_, _, let exchange, let routingKey):
            return BrokerError.unroutable(exchange: exchange, routingKey: routingKey)
        case .channelClosedByServer(.notFound, let text, _, _):
            return BrokerError.notFound(reason: text)
        case .channelClosedByServer(_, let text, _, _), .connectionClosedByServer(_, let text):
            return BrokerError.refused(reason: text)
        case .connectionLost(let reason):
            return BrokerError.connectionLost(reason: reason)
        case .heartbeatTimeout, .connectionClosed:
            return BrokerError.connectionLost(reason: error.description)
        default:
            return BrokerError.refused(reason: error.description)
        }
    }
}

/// Counts a consumer's messages delivered but not yet acked or rejected, so its channel is
/// closed only once the last is settled (or at once when none is outstanding).
final class UnsettledDeliveries: Sendable {
    private let state = NIOLockedValueBox((count: 0, closing: false, closed: false))
    private let closeChannel: @Sendable () -> Void

    init(closeChannel: @escaping @Sendable () -> Void) {
        self.closeChannel = closeChannel
    }

    func delivered() {
        state.withLockedValue { $0.count += 1 }
    }

    func settled() {
        closeIf { state in
            state.count -= 1
            return state.closing
        }
    }

    /// Asks for the channel to close when nothing is outstanding.
    func close() {
        closeIf { state in
            state.closing = true
            return true
        }
    }

    private func closeIf(_ change: (inout (count: Int, closing: Bool, closed: Bool)) -> Bool) {
        let now = state.withLockedValue { state -> Bool in
            guard change(&state), state.count <= 0, !state.closed else { return false }
            state.closed = true
            return true
        }
        if now { closeChannel() }
    }
}
