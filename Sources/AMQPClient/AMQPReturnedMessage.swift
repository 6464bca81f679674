import NIOCore

/// A mandatory message the broker could not route, sent back with basic.return.
public struct AMQPReturnedMessage: Sendable, Hashable {
    public var replyCode: AMQPReplyCode
    public var replyText: String
    public var exchange: String
    public var routingKey: String
    public var properties: AMQPBasicProperties
    public var body: ByteBuffer
}
