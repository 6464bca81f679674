import AMQPClient
import Logging
import NIOConcurrencyHelpers
import NIOCore

/// The AMQP 0-9-1 transport over AMQPClient. Publishes share one confirmed channel and
/// declarations another, so a declaration the broker refuses (which closes its channel)
/// never fails a publish in flight; a passive declare, which is expected to fail, gets a
/// channel of its own. A closed channel is replaced on the next call, and each consumer gets
/// a channel of its own. A lost connection is replaced on the next call, as kombu's does:
/// what was declared is declared again by whoever needs it, and consumers of the lost
/// connection end with `BrokerError.connectionLost`, for their owner to start again.
/// Given several URLs (`amqp://h1//;amqp://h2//`), it connects to the first it can reach
/// and, when that connection is lost, to the next (`BrokerFailover`).
public actor AMQPTransport: BrokerTransport {
    /// The URL, or failover list, as given.
    public nonisolated let url: String
    private let failover: BrokerFailover
    private let configurations: [AMQPConnectionConfiguration]
    /// The index of the URL the connection is on.
    private var current: Int
    private var connection: AMQPConnection
    private let logger: Logger
    /// A reconnection in progress; callers arriving meanwhile wait for the same one.
    private var reconnecting: Task<(AMQPConnection, Int), any Error>?
    private var isClosed = false
    /// Channels being opened or open, by role; callers arriving together share one opening.
    private var channels: [ChannelRole: Task<AMQPChannel, any Error>] = [:]
    private var declaredExchanges: Set<ExchangeDeclaration> = []

    /// Connects to `url` (amqp:// or amqps://), or to the first of a `;`-separated list it
    /// can reach, in the order `failoverStrategy` gives.
    /// `heartbeat` and `connectTimeout` (seconds) apply to each URL that names none.
    /// `logger` says which brokers of a failover list could not be reached; a full-screen
    /// program passes a silent one and shows the connection its own way.
    public init(url: String, failoverStrategy: BrokerFailover.Strategy = .roundRobin, heartbeat: Int = Int(AMQPConnectionConfiguration.defaultHeartbeat),
                connectTimeout: Double = AMQPConnectionConfiguration.defaultConnectTimeout, logger: Logger = Logger(label: "celeriac.broker")) async throws {
        self.url = url
        self.logger = logger
        let failover = try BrokerFailover(url, strategy: failoverStrategy)
        let heartbeat = UInt16(clamping: heartbeat)
        configurations = try failover.urls.map { single in
            do {
                return try AMQPConnectionConfiguration(url: single, heartbeat: heartbeat, connectTimeout: connectTimeout)
            } catch {
                throw BrokerError.invalidURL(url: single, reason: "\(error)")
            }
        }
        self.failover = failover
        var random = SystemRandomNumberGenerator()
        let order = failover.strategy == .shuffle ? Array(failover.urls.indices).shuffled(using: &random) : Array(failover.urls.indices)
        (connection, current) = try await Self.connect(configurations, in: order, logger: logger)
    }

    /// Connects as `configuration` says: its broker URL or failover list, strategy,
    /// heartbeat and connection timeout.
    public init(_ configuration: CeleriacConfiguration, logger: Logger = Logger(label: "celeriac.broker")) async throws {
        try await self.init(url: configuration.brokerURL, failoverStrategy: configuration.brokerFailoverStrategy,
                            heartbeat: configuration.brokerHeartbeat, connectTimeout: configuration.brokerConnectionTimeout,
                            logger: logger)
    }

    /// The broker of a failover list the connection is on, without its password:
    /// `host:port/vhost`; nil for a single URL, where there is nothing to tell.
    public func currentBroker() async -> String? {
        guard configurations.count > 1 else { return nil }
        let configuration = configurations[current]
        return "\(configuration.host):\(configuration.port)\(configuration.virtualHost == "/" ? "" : "/" + configuration.virtualHost)"
    }

    /// The first of `order` that accepts a connection, saying so for each that does not.
    private static func connect(_ configurations: [AMQPConnectionConfiguration], in order: [Int],
                                logger: Logger) async throws -> (AMQPConnection, Int) {
        var failures: [(url: String, reason: String)] = []
        for (position, index) in order.enumerated() {
            let configuration = configurations[index]
            do {
                let connection = try await AMQPConnection.connect(to: configuration)
                if !failures.isEmpty { logger.info("broker: connected to \(configuration.redactedURL)") }
                return (connection, index)
            } catch {
                failures.append((configuration.redactedURL, "\(error)"))
                if position + 1 < order.count {
                    let next = configurations[order[position + 1]].redactedURL
                    logger.warning("broker: cannot connect to \(configuration.redactedURL): \(error); trying \(next)")
                }
            }
        }
        if let only = failures.first, failures.count == 1 { throw BrokerError.unreachable(url: only.url, reason: only.reason) }
        throw BrokerError.unreachable(url: failures.map(\.url).joined(separator: ";"),
                                      reason: "none of the \(failures.count) brokers answered: "
                                          + failures.map { "\($0.url): \($0.reason)" }.joined(separator: "; "))
    }

    /// The open connection, after connecting again if the last one was lost — to the next
    /// broker of a failover list first, the lost one last.
    private func liveConnection() async throws -> AMQPConnection {
        if connection.isOpen { return connection }
        guard !isClosed else { throw BrokerError.connectionLost(reason: "the transport was closed") }
        if let reconnecting { return try await reconnecting.value.0 }
        var random = SystemRandomNumberGenerator()
        let (configurations, order, logger) = (configurations, failover.attemptOrder(after: current, random: &random), logger)
        let attempt = Task { try await Self.connect(configurations, in: order, logger: logger) }
        reconnecting = attempt
        defer { reconnecting = nil }
        let (fresh, index) = try await attempt.value
        connection = fresh
        current = index
        channels = [:]
        declaredExchanges = []
        return fresh
    }

    public func declare(_ exchange: ExchangeDeclaration) async throws {
        guard !declaredExchanges.contains(exchange) else { return }
        try await withChannel(.topology) { channel in
            try await channel.exchangeDeclare(exchange.name, type: exchange.type, durable: exchange.durable,
                                              autoDelete: exchange.autoDelete)
        }
        declaredExchanges.insert(exchange)
    }

    @discardableResult
    public func declare(_ queue: QueueDeclaration) async throws -> QueueCounts {
        let declare = { (channel: AMQPChannel) in
            let ok = try await channel.queueDeclare(queue.name, passive: queue.passive, durable: queue.durable,
                                                    exclusive: queue.exclusive, autoDelete: queue.autoDelete,
                                                    arguments: queue.arguments.mapValues(AMQPFieldValue.init(json:)))
            return QueueCounts(messages: Int(ok.messageCount), consumers: Int(ok.consumerCount))
        }
        // A passive declare of a missing queue, or an exclusive one another connection holds
        // (a beat's lease, a node's mailbox), is refused by closing the channel: on the shared
        // one that would fail the declares and binds made beside it with an error not theirs.
        guard queue.passive || queue.exclusive else { return try await withChannel(.topology, declare) }
        return try await withOwnChannel(declare)
    }

    public func bind(queue: String, exchange: String, routingKey: String) async throws {
        try await withChannel(.topology) { channel in
            try await channel.queueBind(queue, exchange: exchange, routingKey: routingKey)
        }
    }

    public func bind(exchange destination: String, to source: String, routingKey: String) async throws {
        try await withChannel(.topology) { channel in
            try await channel.exchangeBind(destination: destination, source: source, routingKey: routingKey)
        }
    }

    public func publish(_ message: BrokerMessage) async throws {
        try await withChannel(.publishing) { channel in
            try await channel.publishConfirmed(ByteBuffer(bytes: message.body), exchange: message.exchange,
                                               routingKey: message.routingKey, mandatory: true,
                                               properties: message.properties.amqp)
        }
    }

    public func publishBestEffort(_ message: BrokerMessage) async throws {
        try await withChannel(.bestEffort) { channel in
            try await channel.publish(ByteBuffer(bytes: message.body), exchange: message.exchange,
                                      routingKey: message.routingKey, properties: message.properties.amqp)
        }
    }

    public func consume(queue: String, prefetch: Int, noAck: Bool) async throws
        -> AsyncThrowingStream<ReceivedMessage, any Error>
    {
        let (stream, continuation) = AsyncThrowingStream<ReceivedMessage, any Error>.makeStream()
        let consumer = try await consume(queue: queue, prefetch: prefetch, noAck: noAck,
                                         onMessage: { continuation.yield($0) },
                                         onEnd: { error in
                                             if let error { continuation.finish(throwing: error) } else { continuation.finish() }
                                         })
        continuation.onTermination = { _ in Task { await consumer.cancel() } }
        return stream
    }

    public func consume(queue: String, prefetch: Int, noAck: Bool,
                        onMessage: @escaping @Sendable (ReceivedMessage) -> Void,
                        onEnd: @escaping @Sendable ((any Error)?) -> Void) async throws -> BrokerConsumer {
        let channel: AMQPChannel
        do {
            channel = try await liveConnection().openChannel()
            if !noAck, prefetch > 0 { try await channel.basicQos(prefetchCount: UInt16(clamping: prefetch)) }
        } catch {
            throw Self.translate(error)
        }
        // Cancelling stops deliveries at once, but the channel stays open until every message
        // it delivered is settled: a worker stopping warm still acks the tasks it is running
        // (closing the channel would requeue them, and they would run twice).
        let unsettled = UnsettledDeliveries { Task { try? await channel.close() } }
        let tag: String
        do {
            tag = try await channel.consume(
                queue: queue, noAck: noAck,
                onDelivery: { delivery in
                    let message = BrokerMessage(exchange: delivery.exchange, routingKey: delivery.routingKey,
                                                properties: MessageProperties(amqp: delivery.properties),
                                                body: Array(delivery.body.readableBytesView))
                    if !noAck { unsettled.delivered() }
                    onMessage(ReceivedMessage(message: message, redelivered: delivery.redelivered) {
                        defer { if !noAck { unsettled.settled() } }
                        switch $0 {
                        case .ack: try delivery.ack()
                        case .reject(let requeue): try delivery.reject(requeue: requeue)
                        }
                    })
                },
                onEnd: { error in onEnd(error.map(Self.translate)) })
        } catch {
            if channel.isOpen { try? await channel.close() }
            throw Self.translate(error)
        }
        return BrokerConsumer {
            try? await channel.cancel(consumerTag: tag)
            unsettled.close()
        }
    }

    public func purge(queue: String) async throws -> Int {
        try await withChannel(.topology) { channel in Int(try await channel.queuePurge(queue)) }
    }

    public func close() async {
        isClosed = true
        try? await connection.close()
    }

    enum ChannelRole: Hashable {
        /// In confirm mode, for publishes.
        case publishing
        /// Not in confirm mode, for best-effort publishes (events).
        case bestEffort
        /// Declarations, bindings and purges.
        case topology
    }

    /// Runs `body` on the shared channel for `role`, opening a new one if the last was closed.
    private func withChannel<T: Sendable>(_ role: ChannelRole, _ body: (AMQPChannel) async throws -> T) async throws -> T {
        let channel = try await openChannel(role)
        do {
            return try await body(channel)
        } catch {
            throw Self.translate(error)
        }
    }

    /// Runs `body` on a channel opened for it alone and closed after it.
    private func withOwnChannel<T: Sendable>(_ body: (AMQPChannel) async throws -> T) async throws -> T {
        let channel: AMQPChannel
        do {
            channel = try await liveConnection().openChannel()
        } catch {
            throw Self.translate(error)
        }
        do {
            let value = try await body(channel)
            try? await channel.close()
            return value
        } catch {
            if channel.isOpen { try? await channel.close() }
            throw Self.translate(error)
        }
    }

    private func openChannel(_ role: ChannelRole) async throws -> AMQPChannel {
        while let opening = channels[role] {
            if let channel = try? await opening.value, channel.isOpen { return channel }
            // Closed or failed: the first caller back replaces it, the others use the new one.
            if channels[role] == opening { break }
        }
        let connection: AMQPConnection
        do {
            connection = try await liveConnection()
        } catch {
            throw Self.translate(error)
        }
        let opening = Task {
            let channel = try await connection.openChannel()
            if role == .publishing { try await channel.confirmSelect() }
            return channel
        }
        channels[role] = opening
        do {
            return try await opening.value
        } catch {
            if channels[role] == opening { channels[role] = nil }
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
