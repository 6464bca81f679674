/// CeleriacBroker: the bundled AMQP 0-9-1 broker behind `celeriac broker` — virtual hosts,
/// exchanges, bindings, queues and deliveries as RabbitMQ 3.x behaves, so Celery, pika and
/// our own client cannot tell it apart where they can observe it. Frames and methods come
/// from `AMQPProtocol`; this module must never import `AMQPClient` or any Celery layer.
import Logging
import NIOConcurrencyHelpers
import NIOHTTP1
import NIOCore
import NIOPosix
import NIOSSL

/// A running broker: listens, accepts connections and serves them until stopped.
///
/// All broker state lives on one event loop. Connections, queues and channels reach each
/// other by direct calls, with no locks and no hops, which is what makes one core go far.
public final class BrokerServer: Sendable {
    public let configuration: BrokerConfiguration
    private let group: MultiThreadedEventLoopGroup
    private let listener: any Channel
    private let managementListener: (any Channel)?
    private let tlsListener: (any Channel)?
    private let state: NIOLoopBound<BrokerState>
    /// The one stop in progress or done: a signal and the end of `run` may both ask for it.
    private let stopping = NIOLockedValueBox<Task<Void, Never>?>(nil)

    /// The port it listens on (the one the system picked when configured with 0).
    public var port: Int { listener.localAddress?.port ?? configuration.port }
    /// The management API's port, when it is on.
    public var managementPort: Int? { managementListener?.localAddress?.port }
    /// The amqps:// port, when TLS is on.
    public var tlsPort: Int? { tlsListener?.localAddress?.port }

    private init(configuration: BrokerConfiguration, group: MultiThreadedEventLoopGroup, listener: any Channel,
                 tlsListener: (any Channel)?, managementListener: (any Channel)?, state: NIOLoopBound<BrokerState>) {
        self.configuration = configuration
        self.group = group
        self.listener = listener
        self.tlsListener = tlsListener
        self.managementListener = managementListener
        self.state = state
    }

    /// Binds and starts accepting; throws when the address is taken or not allowed.
    public static func start(_ configuration: BrokerConfiguration, logger: Logger) async throws -> BrokerServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let state: NIOLoopBound<BrokerState>
        do {
            state = try await loop.submit {
            let clock = EventLoopClock(loop: loop)
            let store = try configuration.dataDirectory.map { directory throws(StorageError) in
                try BrokerStore(directory: directory, policy: configuration.fsync, loop: loop, logger: logger,
                                compactionInterval: .seconds(configuration.compactionInterval))
            }
            let state = BrokerState(configuration: configuration, logger: logger, clock: clock, store: store)
            try state.recover()
            do {
                try state.loadDefinitionsFile()
            } catch {
                throw BrokerStartError.definitionsFile("\(error)")
            }
            state.alarms.onChange = { [unowned state] active in state.alarmsChanged(active) }
            let bound = NIOLoopBound(state, eventLoop: loop)
            loop.scheduleRepeatedTask(initialDelay: .zero, delay: .seconds(1)) { _ in bound.value.alarms.check() }
            return NIOLoopBound(state, eventLoop: loop)
            }.get()
        } catch let error as BrokerStartError {
            try? await group.shutdownGracefully()
            throw error
        } catch {
            try? await group.shutdownGracefully()
            throw BrokerStartError.dataDirectoryUnusable(configuration.dataDirectory ?? "", reason: "\(error)")
        }
        var opened: [any Channel] = []
        do {
            let listener = try await amqpBootstrap(group: group, state: state, tls: nil)
                .bind(host: configuration.host, port: configuration.port).get()
            opened.append(listener)
            var tlsListener: (any Channel)?
            if let tlsPort = configuration.tlsPort {
                let context = try tlsContext(configuration)
                do {
                    tlsListener = try await amqpBootstrap(group: group, state: state, tls: context)
                        .bind(host: configuration.host, port: tlsPort).get()
                } catch {
                    throw BrokerStartError.portUnavailable(what: "amqps://", host: configuration.host, port: tlsPort,
                                                           reason: "\(error)")
                }
                opened.append(tlsListener!)
            }
            var management: (any Channel)?
            if let managementPort = configuration.managementPort {
                do {
                    management = try await startManagement(on: loop, state: state, host: configuration.host, port: managementPort)
                } catch {
                    throw BrokerStartError.managementPortUnavailable(host: configuration.host, port: managementPort,
                                                                     reason: "\(error)")
                }
            }
            return BrokerServer(configuration: configuration, group: group, listener: listener, tlsListener: tlsListener,
                                managementListener: management, state: state)
        } catch {
            for channel in opened { try? await channel.close() }
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private static func amqpBootstrap(group: MultiThreadedEventLoopGroup, state: NIOLoopBound<BrokerState>,
                                      tls: NIOSSLContext?) -> ServerBootstrap {
        ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 256 * 1024, high: 1024 * 1024))
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.addHandler(BrokerConnection(state: state.value, isTLS: tls != nil))
                }
            }
    }

    /// The server side of amqps://, from PEM files; an unreadable file is named in the error.
    private static func tlsContext(_ configuration: BrokerConfiguration) throws -> NIOSSLContext {
        guard let certificateFile = configuration.certificateFile else {
            throw BrokerStartError.tls("--tls-port needs --cert FILE (a PEM certificate chain) and --key FILE")
        }
        let keyFile = configuration.privateKeyFile ?? certificateFile
        let chain: [NIOSSLCertificate]
        let key: NIOSSLPrivateKey
        do {
            chain = try NIOSSLCertificate.fromPEMFile(certificateFile)
        } catch {
            throw BrokerStartError.tls("cannot read the certificate \(certificateFile): \(error)")
        }
        do {
            key = try NIOSSLPrivateKey(file: keyFile, format: .pem)
        } catch {
            throw BrokerStartError.tls("cannot read the private key \(keyFile): \(error)")
        }
        let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        do {
            return try NIOSSLContext(configuration: tls)
        } catch {
            throw BrokerStartError.tls("the certificate and key do not make a TLS context: \(error)")
        }
    }

    private static func startManagement(on loop: any EventLoop, state: NIOLoopBound<BrokerState>, host: String, port: Int)
        async throws -> any Channel
    {
        let sampler = try await loop.submit {
            let sampler = NIOLoopBound(StatisticsSampler(), eventLoop: loop)
            let interval = TimeAmount.seconds(state.value.configuration.statisticsInterval)
            loop.scheduleRepeatedTask(initialDelay: .zero, delay: interval) { _ in sampler.value.sample(state.value) }
            return sampler
        }.get()
        return try await ServerBootstrap(group: loop)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.pipeline.configureHTTPServerPipeline().flatMapThrowing {
                    try channel.pipeline.syncOperations.addHandler(ManagementHandler(state: state.value, sampler: sampler.value))
                }
            }
            .bind(host: host, port: port)
            .get()
    }

    /// Stops accepting, closes every connection and writes out what is stored. Calling it
    /// again waits for the first call's work.
    public func stop() async {
        let task = stopping.withLockedValue { stopping in
            if let stopping { return stopping }
            let (group, listener, tls, management, state) = (self.group, self.listener, self.tlsListener,
                                                             self.managementListener, self.state)
            let task = Task {
                try? await management?.close()
                try? await tls?.close()
                try? await listener.close()
                try? await group.next().submit { state.value.store?.storage.shutdown() }.get()
                try? await group.shutdownGracefully()
            }
            stopping = task
            return task
        }
        await task.value
    }

    /// Returns when the listener closes.
    public func waitUntilClosed() async throws {
        try await listener.closeFuture.get()
    }
}

/// Why the broker did not start.
public enum BrokerStartError: Error, CustomStringConvertible {
    case managementPortUnavailable(host: String, port: Int, reason: String)
    case portUnavailable(what: String, host: String, port: Int, reason: String)
    case dataDirectoryUnusable(String, reason: String)
    case tls(String)
    case definitionsFile(String)

    public var description: String {
        switch self {
        case .managementPortUnavailable(let host, let port, let reason):
            return "cannot serve the management API on \(host):\(port) (\(reason)); pick another --management-port"
        case .portUnavailable(let what, let host, let port, let reason):
            return "cannot serve \(what) on \(host):\(port) (\(reason)); pick another port"
        case .tls(let reason):
            return reason
        case .definitionsFile(let reason):
            return "--users-file: \(reason)"
        case .dataDirectoryUnusable(let path, let reason):
            return "cannot use the data dir \(path): \(reason); check its permissions, or pick another --data-dir"
        }
    }
}
