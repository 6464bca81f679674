/// CeleriacBroker: the bundled AMQP 0-9-1 broker behind `celeriac broker` — virtual hosts,
/// exchanges, bindings, queues and deliveries as RabbitMQ 3.x behaves, so Celery, pika and
/// our own client cannot tell it apart where they can observe it. Frames and methods come
/// from `AMQPProtocol`; this module must never import `AMQPClient` or any Celery layer.
import Logging
import NIOCore
import NIOPosix

/// A running broker: listens, accepts connections and serves them until stopped.
///
/// All broker state lives on one event loop. Connections, queues and channels reach each
/// other by direct calls, with no locks and no hops, which is what makes one core go far.
public final class BrokerServer: Sendable {
    public let configuration: BrokerConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let state: NIOLoopBound<BrokerState>

    /// The port it listens on (the one the system picked when configured with 0).
    public var port: Int { listener.localAddress?.port ?? configuration.port }

    private init(configuration: BrokerConfiguration, group: MultiThreadedEventLoopGroup, listener: any Channel,
                 state: NIOLoopBound<BrokerState>) {
        self.configuration = configuration
        self.group = group
        self.listener = listener
        self.state = state
    }

    /// Binds and starts accepting; throws when the address is taken or not allowed.
    public static func start(_ configuration: BrokerConfiguration, logger: Logger) async throws -> BrokerServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let state = try await loop.submit {
            NIOLoopBound(BrokerState(configuration: configuration, logger: logger), eventLoop: loop)
        }.get()
        do {
            let listener = try await ServerBootstrap(group: group)
                .serverChannelOption(.backlog, value: 1024)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
                .childChannelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(BrokerConnection(state: state.value))
                    }
                }
                .bind(host: configuration.host, port: configuration.port)
                .get()
            return BrokerServer(configuration: configuration, group: group, listener: listener, state: state)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops accepting and closes every connection.
    public func stop() async throws {
        try? await listener.close()
        try await group.shutdownGracefully()
    }

    /// Returns when the listener closes.
    public func waitUntilClosed() async throws {
        try await listener.closeFuture.get()
    }
}
