import NIOCore

/// An opt-in wrapper that survives a lost connection: it reconnects with backoff, declares
/// the recorded topology again and resumes every consumer, whose sequence simply goes on.
/// Deliveries from before the loss can no longer be acked (their ack throws); the broker
/// redelivers them, flagged `redelivered`. A close by the broker for a bad login or a
/// missing vhost is retried too, since an operator may fix it; `close()` stops everything.
public actor AMQPRecoveringConnection {
    public let configuration: AMQPConnectionConfiguration
    private let initialDelay: Duration
    private let maximumDelay: Duration

    private var topology: [AMQPTopologyDeclaration] = []
    private var consumers: [ConsumerRegistration] = []
    private var current: AMQPConnection?
    private var publishChannel: AMQPChannel?
    private var waitingForConnection: [CheckedContinuation<AMQPConnection, any Error>] = []
    private var supervisor: Task<Void, Never>?
    private var isClosed = false
    /// How many times the connection has been (re)established.
    public private(set) var connectionCount = 0

    private struct ConsumerRegistration {
        var queue: String
        var prefetch: UInt16
        var noAck: Bool
        var sink: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation
    }

    public init(configuration: AMQPConnectionConfiguration, initialRetryDelay: Duration = .milliseconds(200),
                maximumRetryDelay: Duration = .seconds(30)) {
        self.configuration = configuration
        self.initialDelay = initialRetryDelay
        self.maximumDelay = maximumRetryDelay
    }

    /// Connects for the first time (throwing if that fails) and starts watching the connection.
    public func start() async throws {
        let connection = try await AMQPConnection.connect(to: configuration)
        try await establish(connection)
        supervisor = Task { await self.superviseForever() }
    }

    /// Declares now and again after every reconnect.
    public func declare(_ declaration: AMQPTopologyDeclaration) async throws {
        topology.append(declaration)
        let channel = try await connection().openChannel()
        try await declaration.apply(on: channel)
        try await channel.close()
    }

    /// Consumes `queue` on a channel of its own; the sequence continues across reconnects and
    /// ends only on `close()` or when the broker cancels the consumer.
    public func consume(queue: String, prefetch: UInt16 = 100, noAck: Bool = false) async throws
        -> AsyncThrowingStream<AMQPDelivery, any Error>
    {
        let (stream, sink) = AsyncThrowingStream<AMQPDelivery, any Error>.makeStream()
        let registration = ConsumerRegistration(queue: queue, prefetch: prefetch, noAck: noAck, sink: sink)
        consumers.append(registration)
        try await startConsumer(registration, on: connection())
        return stream
    }

    /// Publishes with a confirm, waiting for a reconnect if there is none. A publish that the
    /// connection's loss leaves unconfirmed is sent again on the next connection: at least once.
    public func publish(_ body: ByteBuffer, exchange: String = "", routingKey: String,
                        properties: AMQPBasicProperties = AMQPBasicProperties()) async throws {
        while true {
            let connection = try await connection()
            do {
                if publishChannel == nil || publishChannel?.isOpen == false {
                    let channel = try await connection.openChannel()
                    try await channel.confirmSelect()
                    publishChannel = channel
                }
                try await publishChannel!.publishConfirmed(body, exchange: exchange, routingKey: routingKey,
                                                           properties: properties)
                return
            } catch let error as AMQPClientError where !connection.isOpen && !isClosed {
                _ = error  // the connection went away mid-publish: try again on the next one
                _ = await connection.waitUntilClosed()
                if current === connection { current = nil }
            }
        }
    }

    public func close() async {
        isClosed = true
        supervisor?.cancel()
        for waiter in waitingForConnection { waiter.resume(throwing: AMQPClientError.connectionClosed) }
        waitingForConnection.removeAll()
        for consumer in consumers { consumer.sink.finish() }
        consumers.removeAll()
        try? await current?.close()
        current = nil
    }

    // MARK: Recovery

    private func connection() async throws -> AMQPConnection {
        if isClosed { throw AMQPClientError.connectionClosed }
        if let current, current.isOpen { return current }
        return try await withCheckedThrowingContinuation { waitingForConnection.append($0) }
    }

    private func establish(_ connection: AMQPConnection) async throws {
        if !topology.isEmpty {
            let channel = try await connection.openChannel()
            for declaration in topology { try await declaration.apply(on: channel) }
            try await channel.close()
        }
        for consumer in consumers { try await startConsumer(consumer, on: connection) }
        current = connection
        publishChannel = nil
        connectionCount += 1
        for waiter in waitingForConnection { waiter.resume(returning: connection) }
        waitingForConnection.removeAll()
    }

    private func superviseForever() async {
        while !isClosed, !Task.isCancelled {
            guard let current else { break }
            _ = await current.waitUntilClosed()
            if isClosed { return }
            self.current = nil
            var delay = initialDelay
            while !isClosed, !Task.isCancelled {
                do {
                    try await Task.sleep(for: delay)  // backoff between attempts, not synchronization
                    let connection = try await AMQPConnection.connect(to: configuration)
                    try await establish(connection)
                    break
                } catch {
                    delay = min(delay * 2, maximumDelay)
                }
            }
        }
    }

    private func startConsumer(_ registration: ConsumerRegistration, on connection: AMQPConnection) async throws {
        let channel = try await connection.openChannel()
        if !registration.noAck { try await channel.basicQos(prefetchCount: registration.prefetch) }
        let consumer = try await channel.consume(queue: registration.queue, noAck: registration.noAck)
        let sink = registration.sink
        Task {
            do {
                for try await delivery in consumer { sink.yield(delivery) }
            } catch AMQPClientError.consumerCancelledByServer(let tag) {
                sink.finish(throwing: AMQPClientError.consumerCancelledByServer(consumerTag: tag))
            } catch {
                // A lost connection: the supervisor starts this consumer again on the next one.
            }
        }
    }
}
