import NIOCore
import NIOSSL

/// The event-loop side of a connection: it reads frames, drives the handshake, routes each
/// channel's frames to its slot, and ends everything with one error when the connection
/// ends. Public API calls reach it through `AMQPConnection.onLoop`.
final class AMQPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let configuration: AMQPConnectionConfiguration
    private(set) var context: ChannelHandlerContext?
    private var handshake: ConnectionHandshake
    private var readyPromise: EventLoopPromise<ConnectionHandshake.Negotiated>?
    private(set) var negotiated: ConnectionHandshake.Negotiated?
    var decoder = AMQPFrameDecoder()
    private var cumulation: ByteBuffer?
    /// What the channels' assemblers accept, held here: a static of another module is read through a once-check.
    private let maximumBodySize = AMQPContentAssembler.defaultMaximumBodySize
    var slots: [UInt16: ChannelSlot] = [:]
    let closed: ClosedState
    let events: AsyncStream<AMQPConnectionEvent>.Continuation
    /// Completed when our connection.close is answered (or the socket goes).
    var closePromises: [EventLoopPromise<Void>] = []
    private var flushScheduled = false
    var lastReceived = NIODeadline.now()
    var heartbeatTask: RepeatedTask?
    var silenceCheck: Scheduled<Void>?

    init(configuration: AMQPConnectionConfiguration, clientProperties: AMQPTable,
         readyPromise: EventLoopPromise<ConnectionHandshake.Negotiated>, closed: ClosedState,
         events: AsyncStream<AMQPConnectionEvent>.Continuation) {
        self.configuration = configuration
        self.handshake = ConnectionHandshake(configuration: configuration, clientProperties: clientProperties)
        self.readyPromise = readyPromise
        self.closed = closed
        self.events = events
    }

    // MARK: Lifecycle

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { sendProtocolHeader(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        sendProtocolHeader(context: context)
        context.fireChannelActive()
    }

    private func sendProtocolHeader(context: ChannelHandlerContext) {
        var header = context.channel.allocator.buffer(capacity: 8)
        header.writeBytes(AMQP.protocolHeader)
        context.writeAndFlush(wrapOutboundOut(header), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(with: .connectionLost(reason: "the broker closed the socket"))
        for promise in closePromises { promise.succeed() }
        closePromises.removeAll()
        heartbeatTask?.cancel()
        heartbeatTask = nil
        silenceCheck?.cancel()
        silenceCheck = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        let failure: AMQPClientError
        if let sslError = error as? NIOSSLError {
            failure = .tlsFailed(reason: "\(sslError)")
        } else if let clientError = error as? AMQPClientError {
            failure = clientError
        } else {
            failure = .connectionLost(reason: "\(error)")
        }
        fail(with: failure)
        context.close(promise: nil)
    }

    // MARK: Reading

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        lastReceived = .now()
        if cumulation == nil || cumulation!.readableBytes == 0 {
            cumulation = bytes
        } else {
            cumulation!.writeBuffer(&bytes)
        }
        do throws(AMQPProtocolError) {
            while self.context != nil, closed.error == nil || !closePromises.isEmpty {
                if handshake.isOpen, let whole = decoder.decodeWholeMessage(from: &cumulation!, maximumBodySize: maximumBodySize) {
                    try handle(whole)
                    continue
                }
                guard let frame = try decoder.decodeFrame(from: &cumulation!) else { break }
                try handle(frame)
            }
            if let cumulation, cumulation.readableBytes == 0 { self.cumulation = nil }
        } catch {
            failProtocol(error)
        }
    }

    private func handle(_ frame: AMQPFrame) throws(AMQPProtocolError) {
        switch frame {
        case .heartbeat:
            return
        case .method(0, let method):
            handleConnectionMethod(method)
        case .method(_, _), .header(_, _), .body(_, _):
            guard handshake.isOpen else {
                throw .unexpectedFrame("a channel frame before the connection was open")
            }
            try handleChannelFrame(frame)
        }
    }

    /// A delivery cut in one pass goes straight to its channel when that channel is ready
    /// for it; otherwise frame by frame, for the same checks and errors as always.
    private func handle(_ whole: AMQPWholeMessage) throws(AMQPProtocolError) {
        guard whole.channel != 0, let slot = slots[whole.channel], slot.lifecycle != .closing, !slot.assembler.isAssembling else {
            let message = whole.message
            try handle(.method(channel: whole.channel, message.method))
            try handle(.header(channel: whole.channel, message.header))
            if message.header.bodySize > 0 { try handle(.body(channel: whole.channel, message.body)) }
            return
        }
        handleChannelMessage(slot, whole.message)
    }

    private func handleConnectionMethod(_ method: AMQPMethod) {
        guard handshake.isOpen else {
            handleHandshake(handshake.receive(method))
            return
        }
        switch method {
        case .connectionClose(let close):
            send(.connectionCloseOk(.init()), channel: 0)
            fail(with: .connectionClosedByServer(replyCode: AMQPReplyCode(close.replyCode), replyText: close.replyText))
            context?.close(promise: nil)
        case .connectionCloseOk:
            context?.close(promise: nil)
        case .connectionBlocked(let blocked):
            events.yield(.blocked(reason: blocked.reason))
        case .connectionUnblocked:
            events.yield(.unblocked)
        default:
            failProtocol(.unexpectedFrame("\(method.name) on channel 0 of an open connection"))
        }
    }

    private func handleHandshake(_ action: ConnectionHandshake.Action) {
        switch action {
        case .send(let method):
            send(method, channel: 0)
        case .sendThenOpen(let tuneOk, let open):
            send(tuneOk, channel: 0)
            if case .connectionTuneOk(let tune) = tuneOk { decoder.maximumFrameSize = tune.frameMax }
            send(open, channel: 0)
        case .opened(let negotiated):
            self.negotiated = negotiated
            startHeartbeats(interval: negotiated.heartbeat)
            readyPromise?.succeed(negotiated)
            readyPromise = nil
        case .failed(let error):
            fail(with: error)
            context?.close(promise: nil)
        }
    }

    // MARK: Writing

    /// Writes a frame now and flushes after the loop's current batch of work, so a burst of
    /// publishes or acks leaves in a few large writes.
    func write(_ buffer: ByteBuffer, promise: EventLoopPromise<Void>?) {
        guard let context else {
            promise?.fail(closed.error ?? .connectionClosed)
            return
        }
        context.write(wrapOutboundOut(buffer), promise: promise)
        guard !flushScheduled else { return }
        flushScheduled = true
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        context.eventLoop.execute {
            loopBound.value.flushScheduled = false
            loopBound.value.context?.flush()
        }
    }

    func send(_ method: AMQPMethod, channel: UInt16, promise: EventLoopPromise<Void>? = nil) {
        guard let context else {
            promise?.fail(closed.error ?? .connectionClosed)
            return
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        do {
            try buffer.writeAMQPFrame(.method(channel: channel, method))
        } catch {
            promise?.fail(AMQPClientError.invalidArgument(error))
            return
        }
        write(buffer, promise: promise)
    }

    // MARK: Ending

    /// Ends the connection with `error`: every waiter, consumer and channel learns why.
    func fail(with error: AMQPClientError) {
        closed.close(with: error)
        readyPromise?.fail(error)
        readyPromise = nil
        let ids = Array(slots.keys)
        for id in ids { closeSlot(id, error: error) }
        events.finish()
    }

    /// Answers bytes that are not AMQP the way the spec asks: connection.close with the
    /// error's reply code, then the socket closes.
    func failProtocol(_ error: AMQPProtocolError) {
        guard closed.error == nil else { return }
        send(.connectionClose(.init(replyCode: error.replyCode.rawValue, replyText: String(String(describing: error).prefix(200)),
                                    classID: 0, methodID: 0)), channel: 0)
        fail(with: .protocolError(error))
        context?.flush()
        context?.close(promise: nil)
    }
}
