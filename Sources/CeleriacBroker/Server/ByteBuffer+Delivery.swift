import AMQPProtocol
import NIOCore

extension ByteBuffer {
    /// Writes a content-carrying method (deliver, get-ok, return) and the message after it,
    /// reusing the properties encoded at publish so a delivery costs copies, not encoding.
    mutating func writeMessage(channel: UInt16, method: AMQPMethod, content: MessageContent, frameMax: UInt32) {
        let chunk = frameMax == 0 ? Int.max : Int(Swift.max(frameMax, AMQP.minimumFrameSize)) - AMQP.frameOverhead
        if case .basicDeliver(let deliver) = method {
            writeDelivery(deliver, channel: channel, content: content, chunk: chunk)
            return
        }
        // The methods the broker sends carry short strings it already validated.
        try! writeAMQPFrame(.method(channel: channel, method))
        writeInteger(AMQPFrame.Kind.header.rawValue)
        writeInteger(channel)
        writeInteger(UInt32(12 + content.encodedProperties.readableBytes))
        writeInteger(AMQP.Basic.Publish.classID)
        writeInteger(UInt16(0))
        writeInteger(UInt64(content.body.readableBytes))
        writeImmutableBuffer(content.encodedProperties)
        writeInteger(AMQP.frameEnd)
        var offset = content.body.readerIndex
        let end = content.body.writerIndex
        while offset < end {
            let length = Swift.min(chunk, end - offset)
            writeInteger(AMQPFrame.Kind.body.rawValue)
            writeInteger(channel)
            writeInteger(UInt32(length))
            writeImmutableBuffer(content.body.getSlice(at: offset, length: length)!)
            writeInteger(AMQP.frameEnd)
            offset += length
        }
    }

    /// basic.deliver, the content header and the body frames, written in one pass over raw
    /// memory: it is the broker's most frequent write, and every ByteBuffer call on the way
    /// costs a runtime exclusivity check. Same bytes as the general path above.
    private mutating func writeDelivery(_ deliver: AMQP.Basic.Deliver, channel: UInt16, content: MessageContent,
                                        chunk: Int) {
        var consumerTag = deliver.consumerTag, exchange = deliver.exchange, routingKey = deliver.routingKey
        let methodPayload = 4 + (1 + consumerTag.utf8.count) + 8 + 1 + (1 + exchange.utf8.count) + (1 + routingKey.utf8.count)
        let properties = content.encodedProperties.readableBytes
        let bodyLength = content.body.readableBytes
        let total = (AMQP.frameOverhead + methodPayload) + (AMQP.frameOverhead + 12 + properties)
            + RawFrameWriter.bodyFramesSize(bodyLength, chunk: chunk)
        writeWithUnsafeMutableBytes(minimumWritableBytes: total) { memory in
            var out = RawFrameWriter(memory)
            out.frameStart(.method, channel: channel, size: methodPayload)
            out.put(AMQP.Basic.Deliver.classID)
            out.put(AMQP.Basic.Deliver.methodID)
            out.putShortString(&consumerTag)
            out.put(deliver.deliveryTag)
            out.put(UInt8(deliver.redelivered ? 1 : 0))
            out.putShortString(&exchange)
            out.putShortString(&routingKey)
            out.put(AMQP.frameEnd)
            out.frameStart(.header, channel: channel, size: 12 + properties)
            out.put(AMQP.Basic.Publish.classID)
            out.put(UInt16(0))
            out.put(UInt64(bodyLength))
            content.encodedProperties.withUnsafeReadableBytes { out.put(bytes: $0) }
            out.put(AMQP.frameEnd)
            content.body.withUnsafeReadableBytes { out.putBodyFrames($0, channel: channel, chunk: chunk) }
            return out.offset
        }
    }
}
