import NIOCore

/// A message handed to a consumer (basic.deliver) or fetched with basic.get.
public struct AMQPDelivery: Sendable {
    public var deliveryTag: UInt64
    public var redelivered: Bool
    public var exchange: String
    public var routingKey: String
    /// The consumer it was delivered to; empty for basic.get.
    public var consumerTag: String
    public var properties: AMQPBasicProperties
    public var body: ByteBuffer
    /// The channel it arrived on: acks must go back on the same one.
    public let channel: AMQPChannel

    public func ack(multiple: Bool = false) throws(AMQPClientError) {
        try channel.ack(deliveryTag: deliveryTag, multiple: multiple)
    }

    public func nack(multiple: Bool = false, requeue: Bool = true) throws(AMQPClientError) {
        try channel.nack(deliveryTag: deliveryTag, multiple: multiple, requeue: requeue)
    }

    public func reject(requeue: Bool = true) throws(AMQPClientError) {
        try channel.reject(deliveryTag: deliveryTag, requeue: requeue)
    }
}
