import NIOCore

extension ByteBuffer {
    /// Writes one frame: type, channel, size, payload, frame-end.
    public mutating func writeAMQPFrame(_ frame: AMQPFrame) throws(AMQPProtocolError) {
        switch frame {
        case .method(let channel, let method):
            try writeAMQPFramePayload(kind: .method, channel: channel) { (buffer) throws(AMQPProtocolError) in
                try method.encode(into: &buffer)
            }
        case .header(let channel, let header):
            try writeAMQPFramePayload(kind: .header, channel: channel) { (buffer) throws(AMQPProtocolError) in
                try header.encode(into: &buffer)
            }
        case .body(let channel, var body):
            writeInteger(AMQPFrame.Kind.body.rawValue)
            writeInteger(channel)
            writeInteger(UInt32(body.readableBytes))
            writeBuffer(&body)
            writeInteger(AMQP.frameEnd)
        case .heartbeat:
            writeInteger(AMQPFrame.Kind.heartbeat.rawValue)
            writeInteger(UInt16(0))
            writeInteger(UInt32(0))
            writeInteger(AMQP.frameEnd)
        }
    }

    /// Writes a content-carrying method with its header and body, the body cut into frames
    /// that fit `maximumFrameSize` (0 means unlimited).
    public mutating func writeAMQPContent(channel: UInt16, method: AMQPMethod, properties: AMQPBasicProperties,
                                          body: ByteBuffer, maximumFrameSize: UInt32) throws(AMQPProtocolError) {
        let start = writerIndex
        do {
            try writeAMQPFrame(.method(channel: channel, method))
            let header = AMQPContentHeader(bodySize: UInt64(body.readableBytes), properties: properties)
            try writeAMQPFrame(.header(channel: channel, header))
        } catch {
            moveWriterIndex(to: start)  // a message is written whole or not at all
            throw error
        }
        // No peer may negotiate below the spec's minimum, so a smaller value is raised to it.
        let chunk = maximumFrameSize == 0
            ? Int.max : Int(Swift.max(maximumFrameSize, AMQP.minimumFrameSize)) - AMQP.frameOverhead
        var remaining = body
        while remaining.readableBytes > 0 {
            let slice = remaining.readSlice(length: Swift.min(chunk, remaining.readableBytes))!
            try writeAMQPFrame(.body(channel: channel, slice))
        }
    }

    private mutating func writeAMQPFramePayload(
        kind: AMQPFrame.Kind, channel: UInt16, _ writePayload: (inout ByteBuffer) throws(AMQPProtocolError) -> Void
    ) throws(AMQPProtocolError) {
        let start = writerIndex
        writeInteger(kind.rawValue)
        writeInteger(channel)
        writeInteger(UInt32(0))
        do {
            try writePayload(&self)
        } catch {
            moveWriterIndex(to: start)  // leave no half-written frame behind
            throw error
        }
        setInteger(UInt32(writerIndex - start - 7), at: start + 3)
        writeInteger(AMQP.frameEnd)
    }
}
