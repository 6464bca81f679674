import NIOCore

/// Cuts frames out of a byte stream. It never traps: an oversized, truncated or malformed
/// frame is an `AMQPProtocolError` carrying the reply code to close the connection with.
public struct AMQPFrameDecoder: Sendable {
    /// The negotiated frame-max: the largest whole frame (header, payload and end octet).
    public var maximumFrameSize: UInt32

    /// RabbitMQ's default frame-max, which also bounds frames before tuning.
    public static let defaultMaximumFrameSize: UInt32 = 131_072

    public init(maximumFrameSize: UInt32 = AMQPFrameDecoder.defaultMaximumFrameSize) {
        self.maximumFrameSize = maximumFrameSize
    }

    /// Returns the next whole frame, or nil (consuming nothing) when more bytes are needed.
    public func decodeFrame(from buffer: inout ByteBuffer) throws(AMQPProtocolError) -> AMQPFrame? {
        guard buffer.readableBytes >= 7,
              let rawKind = buffer.getInteger(at: buffer.readerIndex, as: UInt8.self),
              let channel = buffer.getInteger(at: buffer.readerIndex + 1, as: UInt16.self),
              let size = buffer.getInteger(at: buffer.readerIndex + 3, as: UInt32.self)
        else { return nil }
        guard let kind = AMQPFrame.Kind(rawValue: rawKind) else {
            // "AMQP" here means a peer sent a protocol header mid-stream or speaks another version.
            throw .unknownFrameType(rawKind)
        }
        let limit = maximumFrameSize == 0 ? UInt32.max - UInt32(AMQP.frameOverhead) : maximumFrameSize
        // Widened: a hostile size near UInt32.max must not overflow.
        let frameSize = UInt64(size) + UInt64(AMQP.frameOverhead)
        guard frameSize <= UInt64(limit) else { throw .frameTooLarge(size: frameSize, limit: limit) }
        let total = Int(size) + AMQP.frameOverhead
        guard buffer.readableBytes >= total else { return nil }
        let end = buffer.getInteger(at: buffer.readerIndex + total - 1, as: UInt8.self)!
        guard end == AMQP.frameEnd else { throw .missingFrameEnd(found: end) }

        buffer.moveReaderIndex(forwardBy: 7)
        var payload = buffer.readSlice(length: Int(size))!
        buffer.moveReaderIndex(forwardBy: 1)
        return try Self.frame(kind: kind, channel: channel, payload: &payload)
    }

    static func frame(kind: AMQPFrame.Kind, channel: UInt16, payload: inout ByteBuffer) throws(AMQPProtocolError)
        -> AMQPFrame
    {
        switch kind {
        case .method:
            let method = try AMQPMethod.decode(from: &payload)
            guard payload.readableBytes == 0 else {
                throw .trailingBytes(method: method.name, count: payload.readableBytes)
            }
            return .method(channel: channel, method)
        case .header:
            let header = try AMQPContentHeader(decoding: &payload)
            guard payload.readableBytes == 0 else {
                throw .trailingBytes(method: "content header", count: payload.readableBytes)
            }
            return .header(channel: channel, header)
        case .body:
            return .body(channel: channel, payload)
        case .heartbeat:
            guard channel == 0 else { throw .heartbeatOnChannel(channel) }
            return .heartbeat
        }
    }

    /// Checks the 8-byte protocol header a client opens with. Returns false when fewer than
    /// 8 bytes have arrived.
    public static func readProtocolHeader(from buffer: inout ByteBuffer) throws(AMQPProtocolError) -> Bool {
        guard let bytes = buffer.getBytes(at: buffer.readerIndex, length: AMQP.protocolHeader.count) else {
            return false
        }
        guard bytes == AMQP.protocolHeader else { throw .invalidProtocolHeader(received: bytes) }
        buffer.moveReaderIndex(forwardBy: AMQP.protocolHeader.count)
        return true
    }
}
