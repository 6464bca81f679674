import AMQPProtocol
import NIOCore

/// A content-carrying method (deliver, get-ok, return) and the message after it, reusing the
/// properties encoded at publish so a delivery costs copies, not encoding. Written over raw
/// memory (see `RawFrameWriter`): deliveries are the broker's most frequent write, and every
/// ByteBuffer call costs a runtime exclusivity check.
extension ByteBuffer {
    mutating func writeMessage(channel: UInt16, method: AMQPMethod, content: MessageContent, frameMax: UInt32) {
        let chunk = AMQP.bodyChunk(maximumFrameSize: frameMax)
        let contentSize = RawFrameWriter.contentHeaderStartSize + content.encodedProperties.readableBytes + 1
            + RawFrameWriter.bodyFramesSize(content.body.readableBytes, chunk: chunk)
        guard case .basicDeliver(let deliver) = method else {
            // The methods the broker sends carry short strings it already validated.
            try! writeAMQPFrame(.method(channel: channel, method))
            writeWithUnsafeMutableBytes(minimumWritableBytes: contentSize) { memory in
                var out = RawFrameWriter(memory)
                out.putContent(content, channel: channel, chunk: chunk)
                return out.offset
            }
            return
        }
        var consumerTag = deliver.consumerTag, exchange = deliver.exchange, routingKey = deliver.routingKey
        let methodPayload = 4 + (1 + consumerTag.utf8.count) + 8 + 1 + (1 + exchange.utf8.count) + (1 + routingKey.utf8.count)
        writeWithUnsafeMutableBytes(minimumWritableBytes: AMQP.frameOverhead + methodPayload + contentSize) { memory in
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
            out.putContent(content, channel: channel, chunk: chunk)
            return out.offset
        }
    }
}

private extension RawFrameWriter {
    /// The content header, with the properties as they were encoded at publish, and the body.
    mutating func putContent(_ content: MessageContent, channel: UInt16, chunk: Int) {
        contentHeaderStart(channel: channel, propertiesSize: content.encodedProperties.readableBytes,
                           bodySize: content.body.readableBytes)
        content.encodedProperties.withUnsafeReadableBytes { put(bytes: $0) }
        put(AMQP.frameEnd)
        content.body.withUnsafeReadableBytes { putBodyFrames($0, channel: channel, chunk: chunk) }
    }
}
