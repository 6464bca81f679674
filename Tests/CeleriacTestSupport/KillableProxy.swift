import NIOConcurrencyHelpers
import NIOCore
import NIOPosix

/// A TCP relay between the client and RabbitMQ that a test can pause (stop reading from
/// the client, as a saturated broker does) or cut (drop every socket, as a killed broker or
/// a broken network does) — real sockets, no mock.
public final class KillableProxy: Sendable {
    private let serverChannel: any Channel
    private let connections: NIOLockedValueBox<[any Channel]>
    /// While paused the relay is a black hole: nothing moves, and a side that closes does not
    /// close the other (a silent network, not a refusing one).
    private let paused: NIOLockedValueBox<Bool>
    /// Every byte the clients sent, for a test that checks what went on the wire.
    private let sentByClients: NIOLockedValueBox<ByteBuffer>
    public let port: Int

    /// `refusing`: the client connections, counted from 1 in the order they come, that are
    /// closed as soon as they are accepted (a broker that is gone for a moment).
    public init(targetHost: String, targetPort: Int, refusing: Set<Int> = []) async throws {
        let connections = NIOLockedValueBox<[any Channel]>([])
        let paused = NIOLockedValueBox(false)
        let sentByClients = NIOLockedValueBox(ByteBuffer())
        let accepted = NIOLockedValueBox(0)
        let group = MultiThreadedEventLoopGroup.singleton
        serverChannel = try await ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.autoRead, value: false)
            .childChannelInitializer { inbound in
                let number = accepted.withLockedValue { count in
                    count += 1
                    return count
                }
                if refusing.contains(number) { return inbound.close() }
                // A generous connect timeout: with hundreds of tests starting at once on two
                // cores, the default 10 s has run out and dropped the client's connection.
                return ClientBootstrap(group: inbound.eventLoop)
                    .connectTimeout(.seconds(60))
                    .connect(host: targetHost, port: targetPort)
                    .flatMap { outbound in
                        connections.withLockedValue { $0 += [inbound, outbound] }
                        let (toOutbound, toInbound) = RelayHandler.pair(paused: paused, tap: sentByClients)
                        return inbound.pipeline.addHandler(toOutbound).flatMap {
                            outbound.pipeline.addHandler(toInbound)
                        }.flatMap {
                            // Reading starts only once both halves are in place.
                            inbound.setOption(ChannelOptions.autoRead, value: true)
                        }
                    }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        port = serverChannel.localAddress!.port!
        self.connections = connections
        self.paused = paused
        self.sentByClients = sentByClients
    }

    /// What the clients have sent so far.
    public var bytesFromClients: ByteBuffer { sentByClients.withLockedValue { $0 } }

    /// Stops reading from clients: their writes back up, as with a broker that stopped reading.
    public func pause() {
        paused.withLockedValue { $0 = true }
        for channel in connections.withLockedValue({ $0 }) {
            _ = channel.setOption(ChannelOptions.autoRead, value: false)
        }
    }

    public func resume() {
        paused.withLockedValue { $0 = false }
        for channel in connections.withLockedValue({ $0 }) {
            _ = channel.setOption(ChannelOptions.autoRead, value: true)
            channel.read()
        }
    }

    /// Stops relaying the broker's side only: what clients send still reaches the broker, and
    /// its replies (confirms, deliveries) are held — a connection lost after the broker took
    /// a message but before its confirm came back.
    public func holdReplies() {
        for (index, channel) in connections.withLockedValue({ $0 }).enumerated() where index % 2 == 1 {
            _ = channel.setOption(ChannelOptions.autoRead, value: false)
        }
    }

    /// Closes every relayed socket at once.
    public func cut() {
        for channel in connections.withLockedValue({ $0 }) { channel.close(promise: nil) }
    }

    public func shutdown() async {
        cut()
        try? await serverChannel.close()
    }
}

/// Copies what one side reads to the other side; closing either closes both.
private final class RelayHandler: ChannelDuplexHandler, @unchecked Sendable {
    // @unchecked: both relayed channels are made on the same event loop (the outbound
    // bootstrap uses the inbound channel's loop), so a pair is only ever touched there.
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var partner: RelayHandler?
    private var context: ChannelHandlerContext?
    private let paused: NIOLockedValueBox<Bool>
    /// Where this side records what it reads; the client's side has one.
    private let tap: NIOLockedValueBox<ByteBuffer>?

    init(paused: NIOLockedValueBox<Bool>, tap: NIOLockedValueBox<ByteBuffer>?) {
        self.paused = paused
        self.tap = tap
    }

    /// The handler for the client's socket first, then the broker's.
    static func pair(paused: NIOLockedValueBox<Bool>, tap: NIOLockedValueBox<ByteBuffer>) -> (RelayHandler, RelayHandler) {
        let a = RelayHandler(paused: paused, tap: tap)
        let b = RelayHandler(paused: paused, tap: nil)
        a.partner = b
        b.partner = a
        return (a, b)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        tap?.withLockedValue { _ = $0.writeImmutableBuffer(bytes) }
        partner?.forward(bytes)
    }

    private func forward(_ bytes: ByteBuffer) {
        context?.writeAndFlush(NIOAny(bytes), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        if !paused.withLockedValue({ $0 }) { partner?.closePartner() }
        self.context = nil
    }

    private func closePartner() {
        context?.close(promise: nil)
    }
}
