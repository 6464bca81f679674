import NIOCore

/// The end of a Redis connection's pipeline: replies come back in the order commands went
/// out, so each completes the oldest waiting promise. Once the connection subscribes, the
/// server also pushes messages at any time; those go to the subscription's stream.
final class RESPConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let decoder = RESPDecoder()
    private var received: ByteBuffer?
    private var waiting = CircularBuffer<EventLoopPromise<RESPValue>>()
    private var messages: AsyncThrowingStream<RedisMessage, any Error>.Continuation?
    private var context: ChannelHandlerContext?
    private var closedReason: RESPError?

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Sends `command`; `reply` completes with its answer.
    func send(_ command: RESPValue, reply: EventLoopPromise<RESPValue>) {
        guard let context, closedReason == nil else {
            return reply.fail(closedReason ?? .connectionClosed("the connection is closed"))
        }
        var buffer = context.channel.allocator.buffer(capacity: 64)
        buffer.writeRESPValue(command)
        waiting.append(reply)
        context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
    }

    /// From now on, pushed messages go to `continuation`.
    func deliverMessages(to continuation: AsyncThrowingStream<RedisMessage, any Error>.Continuation) {
        if let closedReason { return continuation.finish(throwing: closedReason) }
        messages = continuation
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if received == nil {
            received = bytes
        } else {
            received!.writeBuffer(&bytes)
        }
        do {
            while var buffer = received, let value = try decoder.next(from: &buffer) {
                received = buffer.readableBytes == 0 ? nil : buffer
                handle(value)
            }
        } catch {
            fail(error)
            context.close(promise: nil)
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        fail(.connectionClosed("the server closed it"))
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(.connectionClosed("\(error)"))
        context.close(promise: nil)
    }

    private func handle(_ value: RESPValue) {
        if messages != nil, let message = RedisMessage(push: value) {
            messages?.yield(message)
            return
        }
        guard let reply = waiting.popFirst() else {
            fail(.protocolViolation("a reply came with no command waiting for it"))
            context?.close(promise: nil)
            return
        }
        reply.succeed(value)
    }

    private func fail(_ error: RESPError) {
        guard closedReason == nil else { return }
        closedReason = error
        while let reply = waiting.popFirst() { reply.fail(error) }
        messages?.finish(throwing: error)
        messages = nil
    }
}

/// A message published on a channel this connection subscribed to.
public struct RedisMessage: Sendable, Hashable {
    public var channel: String
    public var payload: [UInt8]

    public init(channel: String, payload: [UInt8]) {
        self.channel = channel
        self.payload = payload
    }

    /// A pushed `["message", channel, payload]`; nil for anything else (subscribe confirmations).
    init?(push: RESPValue) {
        guard let parts = push.array, parts.count == 3, parts[0].string == "message",
              let channel = parts[1].string, let payload = parts[2].bytes else { return nil }
        self.channel = channel
        self.payload = payload
    }
}
