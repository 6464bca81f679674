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
        if case .basicPublish(let publish) = method, publish.exchange.utf8.count <= 255, publish.routingKey.utf8.count <= 255 {
            return try writePublish(publish, channel: channel, properties: properties, body: body,
                                    maximumFrameSize: maximumFrameSize)
        }
        let start = writerIndex
        do {
            try writeAMQPFrame(.method(channel: channel, method))
            let header = AMQPContentHeader(bodySize: UInt64(body.readableBytes), properties: properties)
            try writeAMQPFrame(.header(channel: channel, header))
        } catch {
            moveWriterIndex(to: start)  // a message is written whole or not at all
            throw error
        }
        let chunk = AMQP.bodyChunk(maximumFrameSize: maximumFrameSize)
        var remaining = body
        while remaining.readableBytes > 0 {
            let slice = remaining.readSlice(length: Swift.min(chunk, remaining.readableBytes))!
            try writeAMQPFrame(.body(channel: channel, slice))
        }
    }

    /// basic.publish and its content, mostly in two passes over raw memory (see
    /// `RawFrameWriter`): a client's most frequent write. Same bytes as the general path.
    private mutating func writePublish(_ publish: AMQP.Basic.Publish, channel: UInt16, properties: AMQPBasicProperties,
                                       body: ByteBuffer, maximumFrameSize: UInt32) throws(AMQPProtocolError) {
        let start = writerIndex
        var exchange = publish.exchange, routingKey = publish.routingKey
        let methodPayload = 4 + 2 + (1 + exchange.utf8.count) + (1 + routingKey.utf8.count) + 1
        let headerStart = writerIndex + AMQP.frameOverhead + methodPayload
        writeWithUnsafeMutableBytes(minimumWritableBytes: AMQP.frameOverhead + methodPayload + RawFrameWriter.contentHeaderStartSize) { memory in
            var out = RawFrameWriter(memory)
            out.frameStart(.method, channel: channel, size: methodPayload)
            out.put(AMQP.Basic.Publish.classID)
            out.put(AMQP.Basic.Publish.methodID)
            out.put(publish.ticket)
            out.putShortString(&exchange)
            out.putShortString(&routingKey)
            out.put(UInt8((publish.mandatory ? 1 : 0) | (publish.immediate ? 2 : 0)))
            out.put(AMQP.frameEnd)
            // The frame's size is set once the properties are written.
            out.contentHeaderStart(channel: channel, propertiesSize: 0, bodySize: body.readableBytes)
            return out.offset
        }
        do {
            try properties.encode(into: &self)
        } catch {
            moveWriterIndex(to: start)  // a message is written whole or not at all
            throw error
        }
        setInteger(UInt32(writerIndex - headerStart - 7), at: headerStart + 3)
        let chunk = AMQP.bodyChunk(maximumFrameSize: maximumFrameSize)
        writeWithUnsafeMutableBytes(minimumWritableBytes: 1 + RawFrameWriter.bodyFramesSize(body.readableBytes, chunk: chunk)) { memory in
            var out = RawFrameWriter(memory)
            out.put(AMQP.frameEnd)
            body.withUnsafeReadableBytes { out.putBodyFrames($0, channel: channel, chunk: chunk) }
            return out.offset
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
