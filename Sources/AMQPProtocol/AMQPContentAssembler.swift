import NIOCore

/// Puts a message back together on one channel: a content-carrying method, then its header,
/// then body frames until the announced size is reached. Client and broker both use it, so
/// frames out of that order are refused the same way everywhere (505 UNEXPECTED_FRAME).
public struct AMQPContentAssembler: Sendable {
    /// A method, and for content-carrying methods the header and the whole body.
    public struct Message: Sendable, Hashable {
        public var method: AMQPMethod
        public var header: AMQPContentHeader
        public var body: ByteBuffer
    }

    public enum Output: Sendable, Hashable {
        /// A method that carries no content.
        case method(AMQPMethod)
        /// A complete message.
        case message(Message)
        /// The frame was consumed; the message is not complete yet.
        case incomplete
    }

    private enum State: Sendable {
        case idle
        case awaitingHeader(AMQPMethod)
        case awaitingBody(AMQPMethod, AMQPContentHeader, ByteBuffer)
    }

    private var state: State = .idle
    /// The largest body accepted; a bigger header is refused before any body is buffered.
    public var maximumBodySize: UInt64

    /// A client's bound: 128 MiB, as RabbitMQ's default max_message_size.
    public static let defaultMaximumBodySize: UInt64 = 128 * 1024 * 1024

    public init(maximumBodySize: UInt64 = AMQPContentAssembler.defaultMaximumBodySize) {
        self.maximumBodySize = maximumBodySize
    }

    /// Whether a message is partly received.
    public var isAssembling: Bool {
        if case .idle = state { return false }
        return true
    }

    public mutating func receiveMethod(_ method: AMQPMethod) throws(AMQPProtocolError) -> Output {
        guard case .idle = state else {
            throw .unexpectedFrame("method \(method.name) arrived while a message's content was incomplete")
        }
        guard method.hasContent else { return .method(method) }
        state = .awaitingHeader(method)
        return .incomplete
    }

    public mutating func receiveHeader(_ header: AMQPContentHeader) throws(AMQPProtocolError) -> Output {
        guard case .awaitingHeader(let method) = state else {
            throw .unexpectedFrame("content header without a content-carrying method before it")
        }
        guard header.bodySize <= maximumBodySize else {
            state = .idle
            throw .messageTooLarge(size: header.bodySize, limit: maximumBodySize)
        }
        if header.bodySize == 0 {
            state = .idle
            return .message(Message(method: method, header: header, body: ByteBuffer()))
        }
        state = .awaitingBody(method, header, ByteBuffer())
        return .incomplete
    }

    public mutating func receiveBody(_ body: ByteBuffer) throws(AMQPProtocolError) -> Output {
        guard case .awaitingBody(let method, let header, var collected) = state else {
            throw .unexpectedFrame("body frame without a content header before it")
        }
        let received = UInt64(collected.readableBytes) + UInt64(body.readableBytes)
        guard received <= header.bodySize else {
            state = .idle
            throw .bodyLargerThanAnnounced(announced: header.bodySize, received: received)
        }
        if received == header.bodySize {
            state = .idle
            // A body that fits one frame is passed on without a copy.
            let whole = collected.readableBytes == 0 ? body : { var all = collected; var b = body; all.writeBuffer(&b); return all }()
            return .message(Message(method: method, header: header, body: whole))
        }
        state = .idle  // drop our reference so the append below does not copy on write
        var more = body
        collected.writeBuffer(&more)
        state = .awaitingBody(method, header, collected)
        return .incomplete
    }
}
