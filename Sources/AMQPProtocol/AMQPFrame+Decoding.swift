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
        // One pass over the raw bytes: each ByteBuffer read would pay an exclusivity check.
        let outcome = buffer.withUnsafeReadableBytes { raw -> Result<Cut, AMQPProtocolError> in
            do throws(AMQPProtocolError) { return .success(try cut(raw)) } catch { return .failure(error) }
        }
        switch try outcome.get() {
        case .incomplete:
            return nil
        case .decoded(let frame, let size):
            buffer.moveReaderIndex(forwardBy: size)
            return frame
        case .body(let channel, let size):
            buffer.moveReaderIndex(forwardBy: AMQP.frameHeaderSize)
            let payload = buffer.readSlice(length: size)!
            buffer.moveReaderIndex(forwardBy: 1)
            return .body(channel: channel, payload)
        }
    }

    /// What the next frame's bytes hold.
    private enum Cut {
        case incomplete
        /// A frame decoded from the bytes, and its whole size.
        case decoded(AMQPFrame, size: Int)
        /// A body frame, whose payload is best kept as a slice of the buffer it came in.
        case body(channel: UInt16, size: Int)
    }

    /// Where a frame's parts lie in a stream's bytes, relative to their start.
    struct FrameBounds {
        var kind: AMQPFrame.Kind
        var channel: UInt16
        var payload: Range<Int>
        /// Just past the end octet.
        var end: Int
    }

    /// The frame starting at `offset`, once all of it has arrived (nil until then). Throws
    /// for bytes that are no frame: an unknown type, a size past frame-max, a wrong end octet.
    func frameBounds(in raw: UnsafeRawBufferPointer, at offset: Int) throws(AMQPProtocolError) -> FrameBounds? {
        guard raw.count - offset >= AMQP.frameHeaderSize else { return nil }
        var header = AMQPReader(UnsafeRawBufferPointer(rebasing: raw[offset...]))
        let rawKind = try header.octet()
        let channel = try header.short()
        let size = try header.long()
        guard let kind = AMQPFrame.Kind(rawValue: rawKind) else {
            // "AMQP" here means a peer sent a protocol header mid-stream or speaks another version.
            throw .unknownFrameType(rawKind)
        }
        let limit = maximumFrameSize == 0 ? UInt32.max - UInt32(AMQP.frameOverhead) : maximumFrameSize
        // Widened: a hostile size near UInt32.max must not overflow.
        let frameSize = UInt64(size) + UInt64(AMQP.frameOverhead)
        guard frameSize <= UInt64(limit) else { throw .frameTooLarge(size: frameSize, limit: limit) }
        let end = offset + Int(size) + AMQP.frameOverhead
        guard raw.count >= end else { return nil }
        guard raw[end - 1] == AMQP.frameEnd else { throw .missingFrameEnd(found: raw[end - 1]) }
        return FrameBounds(kind: kind, channel: channel, payload: offset + AMQP.frameHeaderSize..<end - 1, end: end)
    }

    private func cut(_ raw: UnsafeRawBufferPointer) throws(AMQPProtocolError) -> Cut {
        guard let bounds = try frameBounds(in: raw, at: 0) else { return .incomplete }
        let (kind, channel, total) = (bounds.kind, bounds.channel, bounds.end)
        var payload = AMQPReader(UnsafeRawBufferPointer(rebasing: raw[bounds.payload]))
        switch kind {
        case .method:
            let method = try AMQPMethod.decode(from: &payload)
            guard payload.remaining == 0 else {
                throw .trailingBytes(method: method.name, count: payload.remaining)
            }
            return .decoded(.method(channel: channel, method), size: total)
        case .header:
            let header = try AMQPContentHeader(reading: &payload)
            guard payload.remaining == 0 else {
                throw .trailingBytes(method: "content header", count: payload.remaining)
            }
            return .decoded(.header(channel: channel, header), size: total)
        case .body:
            return .body(channel: channel, size: bounds.payload.count)
        case .heartbeat:
            guard channel == 0 else { throw .heartbeatOnChannel(channel) }
            return .decoded(.heartbeat, size: total)
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
