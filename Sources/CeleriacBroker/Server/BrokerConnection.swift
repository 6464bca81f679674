import AMQPProtocol
import Foundation
import Logging
import NIOCore

/// One client connection: reads frames, runs the handshake, owns the connection's channels
/// and writes what they send. Lives on the broker's event loop with the rest of its state.
final class BrokerConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    enum Phase {
        case awaitingProtocolHeader
        case awaitingStartOk
        case awaitingTuneOk
        case awaitingOpen
        case open
        /// We sent connection.close and wait for close-ok; everything else is dropped.
        case closing
        case closed
    }

    let state: BrokerState
    var logger: Logger
    private(set) var phase: Phase = .awaitingProtocolHeader
    private(set) var context: ChannelHandlerContext?
    private var inbound = ByteBuffer()
    private(set) var decoder = AMQPFrameDecoder()

    private(set) var user: BrokerUser?
    private(set) var virtualHost: VirtualHost?
    private(set) var clientProperties: AMQPTable = [:]
    private(set) var channelMax: UInt16
    private(set) var frameMax: UInt32
    private(set) var heartbeat: UInt16 = 0
    private(set) var isLoopback = false
    private(set) var peer = "unknown"
    private(set) var peerHost = ""
    private(set) var peerPort = 0
    /// RabbitMQ's connection name: "client:port -> server:port".
    private(set) var name = "unknown"
    let connectedAt = Date()
    var channels: [UInt16: BrokerChannel] = [:]

    /// Frames are gathered here and written once per event-loop tick.
    private var outbound = ByteBuffer()
    private var flushScheduled = false
    /// Channels with publisher confirms to send before the next write.
    var channelsWithConfirms: [BrokerChannel] = []
    var lastRead = NIODeadline.now()
    var lastWrite = NIODeadline.now()
    var timers: [Scheduled<Void>] = []
    var heartbeatTask: RepeatedTask?

    /// A publish that arrived during a resource alarm: reading stopped before it, and it is
    /// handled once the alarms clear.
    private var heldPublish: AMQPFrame?
    private var sentBlocked = false

    /// A socket backlog past this stops deliveries until it drains.
    static let outboundLimit = 1 << 20

    /// Whether it came in on the amqps:// port.
    let isTLS: Bool

    init(state: BrokerState, isTLS: Bool = false) {
        self.state = state
        self.isTLS = isTLS
        logger = state.logger
        channelMax = state.configuration.channelMax
        frameMax = state.configuration.frameMax
    }

    var id: ObjectIdentifier { ObjectIdentifier(self) }

    // MARK: Channel events

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        outbound = context.channel.allocator.buffer(capacity: 4096)
        if let remote = context.channel.remoteAddress {
            peerHost = remote.ipAddress ?? "?"
            peerPort = remote.port ?? 0
            peer = "\(peerHost):\(peerPort)"
            isLoopback = remote.isLoopback
        }
        let local = context.channel.localAddress
        name = "\(peer) -> \(local?.ipAddress ?? "?"):\(local?.port ?? 0)"
        logger[metadataKey: "connection"] = .string(peer)
        state.register(self)
        startHandshakeTimeout()
    }

    func channelInactive(context: ChannelHandlerContext) {
        tearDown()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        lastRead = .now()
        if inbound.readableBytes == 0 {
            inbound = bytes
        } else {
            inbound.writeBuffer(&bytes)
        }
        do {
            try readFrames()
        } catch let error as AMQPProtocolError {
            logger.warning("closing connection: \(error)")
            close(with: AMQPException(error.replyCode, String(describing: error)))
        } catch let error as AMQPException {
            close(with: error)
        } catch {
            close(with: AMQPException(.internalError, String(describing: error)))
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if inbound.readableBytes == 0 {
            inbound.clear()
        } else if inbound.readerIndex > 65_536 {
            inbound.discardReadBytes()
        }
        context.fireChannelReadComplete()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { resumeDeliveries() }
        context.fireChannelWritabilityChanged()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        logger.debug("connection error: \(error)")
        context.close(promise: nil)
    }

    // MARK: Reading

    private func readFrames() throws {
        if phase == .awaitingProtocolHeader {
            let header = inbound.getBytes(at: inbound.readerIndex, length: min(8, inbound.readableBytes)) ?? []
            guard header.count == 8 else { return }
            guard header == AMQP.protocolHeader else {
                // The spec's answer to a wrong protocol header: ours, then close.
                logger.info("refused a client with protocol header \(header); this broker speaks AMQP 0-9-1")
                var reply = context!.channel.allocator.buffer(capacity: 8)
                reply.writeBytes(AMQP.protocolHeader)
                context?.writeAndFlush(wrapOutboundOut(reply)).whenComplete { [context] _ in context?.close(promise: nil) }
                phase = .closed
                return
            }
            inbound.moveReaderIndex(forwardBy: 8)
            sendStart()
        }
        while phase != .closed, heldPublish == nil {
            if phase == .open, state.alarms.active.isEmpty,
               let whole = decoder.decodeWholeMessage(from: &inbound, maximumBodySize: state.configuration.maximumMessageSize) {
                try receive(whole)
                continue
            }
            guard let frame = try decoder.decodeFrame(from: &inbound) else { return }
            if case .method(_, .basicPublish) = frame, !state.alarms.active.isEmpty {
                holdPublishing(frame)
                return
            }
            try receive(frame)
        }
    }

    // MARK: Flow control

    /// RabbitMQ blocks a connection when it publishes during an alarm: it stops reading it
    /// and, if the client understands it, says so with connection.blocked.
    private func holdPublishing(_ frame: AMQPFrame) {
        heldPublish = frame
        context?.channel.setOption(ChannelOptions.autoRead, value: false).whenFailure { _ in }
        guard !sentBlocked, Self.understandsBlocked(clientProperties) else { return }
        sentBlocked = true
        let reason = state.alarms.active.map(\.reason).sorted().joined(separator: ", ")
        send(.connectionBlocked(.init(reason: reason)), on: 0)
    }

    func alarmsCleared() {
        if sentBlocked {
            sentBlocked = false
            send(.connectionUnblocked(.init()), on: 0)
        }
        guard let frame = heldPublish, let context else { return }
        heldPublish = nil
        context.channel.setOption(ChannelOptions.autoRead, value: true).whenFailure { _ in }
        do {
            try receive(frame)
            try readFrames()
        } catch let error as AMQPProtocolError {
            close(with: AMQPException(error.replyCode, String(describing: error)))
        } catch let error as AMQPException {
            close(with: error)
        } catch {
            close(with: AMQPException(.internalError, String(describing: error)))
        }
    }

    private static func understandsBlocked(_ properties: AMQPTable) -> Bool {
        guard case .table(let capabilities)? = properties["capabilities"] else { return false }
        return capabilities["connection.blocked"] == .bool(true)
    }

    private func receive(_ frame: AMQPFrame) throws {
        switch frame {
        case .heartbeat:
            return
        case .method(0, let method):
            try receiveConnectionMethod(method)
        case .method(let number, let method):
            try receiveChannelMethod(method, on: number)
        case .header(let number, let header):
            guard let channel = try channelForContent(number) else { return }
            try settleErrors(on: channel) { () throws(AMQPException) in try channel.receive(header) }
        case .body(let number, let body):
            guard let channel = try channelForContent(number) else { return }
            try settleErrors(on: channel) { () throws(AMQPException) in try channel.receive(body) }
        }
    }

    /// A whole message cut in one pass: published at once on a channel ready for it, and
    /// otherwise taken frame by frame, so every error is the one those frames always got.
    private func receive(_ whole: AMQPWholeMessage) throws {
        guard let channel = channels[whole.channel], !channel.isClosing, !channel.assembler.isAssembling else {
            let message = whole.message
            try receive(.method(channel: whole.channel, message.method))
            try receive(.header(channel: whole.channel, message.header))
            if message.header.bodySize > 0 { try receive(.body(channel: whole.channel, message.body)) }
            return
        }
        try settleErrors(on: channel) { () throws(AMQPException) in
            try channel.publish(whole.message, encodedProperties: whole.encodedProperties)
        }
    }

    private func channelForContent(_ number: UInt16) throws(AMQPException) -> BrokerChannel? {
        guard phase == .open else {
            if phase == .closing { return nil }
            throw AMQPException.unexpectedFrame("content frame before the connection was open")
        }
        guard let channel = channels[number] else {
            throw AMQPException.channelError("content frame on channel \(number), which is not open")
        }
        return channel.isClosing ? nil : channel
    }

    private func receiveChannelMethod(_ method: AMQPMethod, on number: UInt16) throws {
        guard phase == .open else {
            if phase == .closing { return }
            throw AMQPException.channelError("method \(method.name) on channel \(number) before the connection was open").caused(by: method)
        }
        if case .channelOpen = method {
            guard channels[number] == nil else {
                throw AMQPException.channelError("second 'channel.open' seen on channel \(number)").caused(by: method)
            }
            guard number <= channelMax else {
                throw AMQPException.channelError("channel \(number) is above the negotiated channel-max \(channelMax)").caused(by: method)
            }
            channels[number] = BrokerChannel(number: number, connection: self, virtualHost: virtualHost!)
            send(.channelOpenOk(.init(channelID: "")), on: number)
            return
        }
        guard let channel = channels[number] else {
            throw AMQPException.channelError("expected 'channel.open' on channel \(number), received \(method.name)").caused(by: method)
        }
        switch method {
        case .channelClose:
            channel.release()
            channels[number] = nil
            send(.channelCloseOk(.init()), on: number)
        case .channelCloseOk:
            if channel.isClosing { channels[number] = nil }
        default:
            guard !channel.isClosing else { return }  // dropped until the client's close-ok
            try settleErrors(on: channel, blaming: method) { () throws(AMQPException) in try channel.receive(method) }
        }
    }

    /// A soft error closes only the channel; a hard one is thrown on, to close the connection.
    private func settleErrors(on channel: BrokerChannel, blaming method: AMQPMethod? = nil,
                              _ body: () throws(AMQPException) -> Void) throws(AMQPException) {
        do {
            try body()
        } catch {
            let blamed = error.classID == 0 ? method.map { error.caused(by: $0) } ?? error : error
            if blamed.code.isHardError { throw blamed }
            channel.close(with: blamed)
        }
    }

    // MARK: Writing

    func send(_ method: AMQPMethod, on channel: UInt16) {
        guard phase != .closed else { return }
        do {
            try outbound.writeAMQPFrame(.method(channel: channel, method))
        } catch {
            logger.error("could not encode \(method.name): \(error)")
        }
        scheduleFlush()
    }

    func sendMessage(_ method: AMQPMethod, content: MessageContent, on channel: UInt16) {
        guard phase != .closed else { return }
        outbound.writeMessage(channel: channel, method: method, content: content, frameMax: frameMax)
        scheduleFlush()
    }

    /// Whether deliveries may be written now: the socket keeps up and our own buffer is small.
    var canWrite: Bool {
        phase == .open && outbound.readableBytes < Self.outboundLimit && (context?.channel.isWritable ?? false)
    }

    func confirmsDue(on channel: BrokerChannel) {
        channelsWithConfirms.append(channel)
        scheduleFlush()
    }

    private func scheduleFlush() {
        guard !flushScheduled, let context else { return }
        flushScheduled = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute { loopBound.value.flush() }
    }

    func flush() {
        flushScheduled = false
        guard let context, phase != .closed else { return }
        if !channelsWithConfirms.isEmpty {
            let due = channelsWithConfirms
            channelsWithConfirms = []
            for channel in due { channel.writeConfirms() }
        }
        guard outbound.readableBytes > 0 else { return }
        let full = outbound
        outbound = context.channel.allocator.buffer(capacity: max(4096, min(full.readableBytes, 1 << 16)))
        lastWrite = .now()
        context.writeAndFlush(wrapOutboundOut(full), promise: nil)
    }

    private func resumeDeliveries() {
        for channel in channels.values { channel.resumeDeliveries() }
    }

    // MARK: Closing

    /// Closes the connection with a hard error: connection.close, then the socket once the
    /// client answers (or after a grace period).
    func close(with error: AMQPException) {
        guard phase != .closing, phase != .closed else { return }
        if error.code != .replySuccess { logger.warning("closing connection: \(error.replyText)") }
        send(.connectionClose(.init(replyCode: error.code.rawValue, replyText: error.replyText,
                                    classID: error.classID, methodID: error.methodID)), on: 0)
        phase = .closing
        releaseChannels()
        flush()
        schedule(in: .seconds(3)) { connection in connection.context?.close(promise: nil) }
    }

    /// Closes the socket after what is buffered has been written.
    func closeSocket() {
        flush()
        phase = .closed
        context?.close(promise: nil)
    }

    private func releaseChannels() {
        let all = channels.values
        channels = [:]
        for channel in all { channel.release() }
    }

    private func tearDown() {
        guard context != nil else { return }
        phase = .closed
        releaseChannels()
        virtualHost?.connectionClosed(id)
        heartbeatTask?.cancel()
        for timer in timers { timer.cancel() }
        timers = []
        state.unregister(self)
        context = nil
    }

    func schedule(in delay: TimeAmount, _ body: @escaping (BrokerConnection) -> Void) {
        guard let context else { return }
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let bodyBound = NIOLoopBound(body, eventLoop: context.eventLoop)
        timers.append(context.eventLoop.scheduleTask(in: delay) { bodyBound.value(loopBound.value) })
    }

    // Handshake state used by BrokerConnection+Handshake.swift.
    func enterPhase(_ next: Phase) { phase = next }
    func authenticated(_ user: BrokerUser, clientProperties: AMQPTable) {
        self.user = user
        self.clientProperties = clientProperties
    }
    func tuned(channelMax: UInt16, frameMax: UInt32, heartbeat: UInt16) {
        self.channelMax = channelMax
        self.frameMax = frameMax
        self.heartbeat = heartbeat
        decoder.maximumFrameSize = frameMax
    }
    func opened(_ vhost: VirtualHost) { virtualHost = vhost }
}
