import AMQPProtocol
import NIOCore

/// What a publisher sent, kept once however many queues it was routed to.
final class MessageContent {
    let exchange: String
    let routingKey: String
    /// The properties a queue reads for every message (priority, delivery mode, expiration,
    /// timestamp), without the headers. Decoded, a Celery task's twenty headers hold 7 KB
    /// against the 700 bytes they take encoded, and only dead-lettering reads them: they
    /// stay in `encodedProperties`.
    let headerless: AMQPBasicProperties
    /// The properties as they go out in every content header: the publisher's own bytes when
    /// the decoder kept them, else encoded once at publish.
    let encodedProperties: ByteBuffer
    let body: ByteBuffer

    init(exchange: String, routingKey: String, properties: AMQPBasicProperties, encodedProperties: ByteBuffer,
         body: ByteBuffer) {
        self.exchange = exchange
        self.routingKey = routingKey
        var headerless = properties
        if headerless.headers != nil { headerless.headers = nil }  // a copy only where there are headers to drop
        self.headerless = headerless
        self.encodedProperties = encodedProperties
        self.body = body
    }

    /// Every property, the headers decoded again from their encoded form.
    var properties: AMQPBasicProperties {
        var encoded = encodedProperties
        // Bytes this broker decoded at publish (or encoded itself), so they decode.
        return (try? AMQPBasicProperties(decoding: &encoded)) ?? headerless
    }

    var isPersistent: Bool { headerless.deliveryMode == 2 }

    /// The `expiration` property in milliseconds; RabbitMQ refuses anything but a
    /// non-negative integer string (406).
    func expirationMilliseconds() throws(AMQPException) -> UInt64? {
        guard let expiration = headerless.expiration else { return nil }
        guard let milliseconds = UInt64(expiration), milliseconds <= UInt64(UInt32.max) else {
            throw .preconditionFailed("invalid expiration '\(expiration)': expected milliseconds as a non-negative integer string")
        }
        return milliseconds
    }
}

/// A message in one queue: the shared content and what this queue knows of it.
struct QueuedMessage {
    let content: MessageContent
    /// Set once the message was delivered and came back unacknowledged.
    var redelivered = false
    /// When it expires (the clock's nanoseconds), from the queue's x-message-ttl or the
    /// message's own expiration, whichever is sooner.
    var expiresAt: UInt64?
    /// Where it is stored, for a persistent message in a durable queue.
    var location: StoreLocation?

    init(content: MessageContent, redelivered: Bool = false, expiresAt: UInt64? = nil, location: StoreLocation? = nil) {
        self.content = content
        self.redelivered = redelivered
        self.expiresAt = expiresAt
        self.location = location
    }

    /// The priority this message is queued under, clamped to the queue's maximum.
    func priority(limit: UInt8) -> Int { Int(min(content.headerless.priority ?? 0, limit)) }
}
