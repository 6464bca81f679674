import AMQPProtocol
import NIOCore

extension ByteBuffer {
    /// Writes a content-carrying method (deliver, get-ok, return) and the message after it,
    /// reusing the properties encoded at publish so a delivery costs copies, not encoding.
    mutating func writeMessage(channel: UInt16, method: AMQPMethod, content: MessageContent, frameMax: UInt32) {
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
        let chunk = frameMax == 0 ? Int.max : Int(Swift.max(frameMax, AMQP.minimumFrameSize)) - AMQP.frameOverhead
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
}
