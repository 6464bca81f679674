import Logging
import NIOCore
import NIOPosix
import NIOSSL

/// One AMQP connection: a socket, the handshake, and channels multiplexed over it.
///
///     let connection = try await AMQPConnection.connect(url: "amqp://guest:guest@localhost:5672//")
///     let channel = try await connection.openChannel()
public final class AMQPConnection: Sendable {
    public let configuration: AMQPConnectionConfiguration
    /// What the broker agreed to in connection.tune.
    public let frameMax: UInt32
    public let channelMax: UInt16
    public let heartbeat: UInt16
    /// The broker's connection.start properties (product, version, capabilities, …).
    public let serverProperties: AMQPTable
    /// blocked/unblocked notices; one reader at a time.
    public let events: AsyncStream<AMQPConnectionEvent>

    let nioChannel: any Channel
    let handler: NIOLoopBound<AMQPConnectionHandler>
    let closed: ClosedState
    let outbox = Outbox()

    var eventLoop: any EventLoop { nioChannel.eventLoop }

    /// Whether the connection can still be used.
    public var isOpen: Bool { closed.error == nil }

    /// Why the connection ended, once it has.
    public var closeReason: AMQPClientError? { closed.error }

    private init(configuration: AMQPConnectionConfiguration, negotiated: ConnectionHandshake.Negotiated,
                 events: AsyncStream<AMQPConnectionEvent>, nioChannel: any Channel,
                 handler: NIOLoopBound<AMQPConnectionHandler>, closed: ClosedState) {
        self.configuration = configuration
        self.frameMax = negotiated.frameMax
        self.channelMax = negotiated.channelMax
        self.heartbeat = negotiated.heartbeat
        self.serverProperties = negotiated.serverProperties
        self.events = events
        self.nioChannel = nioChannel
        self.handler = handler
        self.closed = closed
    }

    public static func connect(url: String, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        async throws -> AMQPConnection
    {
        try await connect(to: AMQPConnectionConfiguration(url: url), eventLoopGroup: eventLoopGroup)
    }

    /// Connects, runs TLS if configured, and completes the AMQP handshake — all within
    /// `configuration.connectTimeout`.
    public static func connect(to configuration: AMQPConnectionConfiguration,
                               eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton)
        async throws -> AMQPConnection
    {
        let sslContext = try configuration.tls.map { try makeSSLContext($0) }
        let eventLoop = eventLoopGroup.next()
        let ready = eventLoop.makePromise(of: ConnectionHandshake.Negotiated.self)
        let closed = ClosedState()
        let (events, eventsContinuation) = AsyncStream<AMQPConnectionEvent>.makeStream()
        let handlerBox = eventLoop.makePromise(of: NIOLoopBound<AMQPConnectionHandler>.self)

        let timeout = TimeAmount.milliseconds(Int64(configuration.connectTimeout * 1000))
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .channelOption(ChannelOptions.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let sslContext {
                        let serverName = configuration.tls?.serverName ?? configuration.host
                        let sni = isIPAddress(serverName) ? nil : serverName
                        try channel.pipeline.syncOperations.addHandler(
                            NIOSSLClientHandler(context: sslContext, serverHostname: sni))
                    }
                    let handler = AMQPConnectionHandler(
                        configuration: configuration, clientProperties: clientProperties(configuration),
                        readyPromise: ready, closed: closed, events: eventsContinuation)
                    try channel.pipeline.syncOperations.addHandler(handler)
                    handlerBox.succeed(NIOLoopBound(handler, eventLoop: channel.eventLoop))
                }
            }

        let channel: any Channel
        do {
            channel = try await bootstrap.connect(host: configuration.host, port: configuration.port).get()
        } catch {
            handlerBox.fail(error)
            ready.fail(error)
            throw AMQPClientError.connectFailed(host: configuration.host, port: configuration.port,
                                                reason: "\(error)")
        }
        // The whole handshake, TLS included, must finish within the timeout too.
        let deadline = eventLoop.scheduleTask(in: timeout) {
            ready.fail(AMQPClientError.connectTimeout(seconds: configuration.connectTimeout))
            channel.close(promise: nil)
        }
        defer { deadline.cancel() }
        do {
            let negotiated = try await ready.futureResult.get()
            let handler = try await handlerBox.futureResult.get()
            return AMQPConnection(configuration: configuration, negotiated: negotiated, events: events,
                                  nioChannel: channel, handler: handler, closed: closed)
        } catch {
            channel.close(promise: nil)
            throw error
        }
    }

    /// Opens a new channel on this connection.
    public func openChannel() async throws -> AMQPChannel {
        try await onLoop { handler, promise in handler.openChannel(for: self, promise: promise) }
    }

    /// Closes the connection politely (connection.close, then waits for close-ok). Every
    /// channel and consumer on it ends.
    public func close() async throws {
        let promise = eventLoop.makePromise(of: Void.self)
        let handler = self.handler
        eventLoop.execute { handler.value.closeConnection(promise: promise, timeout: .seconds(5)) }
        try await promise.futureResult.get()
        try? await nioChannel.closeFuture.get()
    }

    /// Waits until the connection has ended, for whatever reason, and returns the reason.
    public func waitUntilClosed() async -> AMQPClientError {
        try? await nioChannel.closeFuture.get()
        return closed.error ?? .connectionLost(reason: "the socket closed")
    }

    /// Runs `body` on the event loop with the handler and a promise for its result.
    func onLoop<T: Sendable>(_ body: @escaping @Sendable (AMQPConnectionHandler, EventLoopPromise<T>) -> Void)
        async throws -> T
    {
        let promise = eventLoop.makePromise(of: T.self)
        let handler = self.handler
        eventLoop.execute { body(handler.value, promise) }
        return try await promise.futureResult.get()
    }

    /// Hands a publish or an acknowledgement to the loop, with the others made meanwhile, in order.
    func send(_ entry: Outbox.Entry) {
        if outbox.add(entry) { scheduleDrain() }
    }

    /// One loop task takes everything the outbox holds by the time it runs.
    func scheduleDrain() {
        let outbox = self.outbox
        onLoop { handler in handler.drain(outbox.takeAll()) }
    }

    /// Runs `body` on the event loop without waiting.
    func onLoop(_ body: @escaping @Sendable (AMQPConnectionHandler) -> Void) {
        let handler = self.handler
        eventLoop.execute { body(handler.value) }
    }
}

/// What we tell the broker about ourselves; the capabilities turn on RabbitMQ's extensions.
func clientProperties(_ configuration: AMQPConnectionConfiguration) -> AMQPTable {
    var properties: AMQPTable = [
        "product": "Celeriac",
        "platform": "Swift",
        "version": .string(celeriacVersion),
        "information": "https://celeriac.dev",
        "capabilities": [
            "publisher_confirms": true,
            "exchange_exchange_bindings": true,
            "basic.nack": true,
            "consumer_cancel_notify": true,
            "connection.blocked": true,
            "authentication_failure_close": true,
            "per_consumer_qos": true,
        ],
    ]
    if let name = configuration.connectionName { properties["connection_name"] = .string(name) }
    return properties
}

/// The library's version, sent in client properties and shown by `celeriac --version`.
public let celeriacVersion = "0.1.0"

func isIPAddress(_ host: String) -> Bool {
    host.contains(":") || host.split(separator: ".").count == 4 && host.allSatisfy { $0.isNumber || $0 == "." }
}
