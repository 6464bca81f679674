import AMQPProtocol
import Foundation
import NIOCore

/// Where a persistent message sits on disk: its queue's segment and the record's number
/// there. Numbers, not byte offsets, so compaction can move a record without the queue
/// noticing; the size tells the segment how much of it is still live.
struct StoreLocation: Sendable, Hashable {
    var segment: UInt32
    var record: UInt32
    var size: UInt32
}

/// A message record's payload: what a queue needs to hand the message out again after a
/// restart. The properties are kept as they were encoded for delivery.
enum MessageRecord {
    static func write(_ message: QueuedMessage, wallClockExpiry: UInt64?, into buffer: inout ByteBuffer) {
        let content = message.content
        buffer.writeInteger(wallClockExpiry ?? 0)
        // Names were short strings on the wire, so they fit one length octet.
        try! buffer.writeAMQPShortString(content.exchange)
        try! buffer.writeAMQPShortString(content.routingKey)
        buffer.writeInteger(UInt32(content.encodedProperties.readableBytes))
        buffer.writeImmutableBuffer(content.encodedProperties)
        buffer.writeImmutableBuffer(content.body)
    }

    /// The message, and when it expires in wall-clock milliseconds (0: never).
    static func read(_ payload: ByteBuffer) throws(AMQPProtocolError) -> (content: MessageContent, expiry: UInt64) {
        var buffer = payload
        guard let expiry = buffer.readInteger(as: UInt64.self) else { throw .truncated("a stored message") }
        let exchange = try buffer.readAMQPShortString()
        let routingKey = try buffer.readAMQPShortString()
        guard let length = buffer.readInteger(as: UInt32.self), let encoded = buffer.readSlice(length: Int(length)) else {
            throw .truncated("a stored message's properties")
        }
        var decoding = encoded
        let properties = try AMQPBasicProperties(decoding: &decoding)
        let body = buffer.readSlice(length: buffer.readableBytes)!
        return (MessageContent(exchange: exchange, routingKey: routingKey, properties: properties,
                               encodedProperties: encoded, body: body), expiry)
    }
}
