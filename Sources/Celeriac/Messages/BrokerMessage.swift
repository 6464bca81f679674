/// A message as the core sees it, whichever transport carries it: where it goes, its
/// headers and properties as JSON-like values, and the body bytes. The AMQP mapping lives in
/// one place (Transport/), so a Redis transport could carry the same values.
public struct BrokerMessage: Sendable, Hashable {
    public var exchange: String
    public var routingKey: String
    public var properties: MessageProperties
    public var body: [UInt8]

    public init(exchange: String = "", routingKey: String, properties: MessageProperties = MessageProperties(),
                body: [UInt8]) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.properties = properties
        self.body = body
    }
}

/// The message properties Celery uses (a subset of AMQP's basic properties).
public struct MessageProperties: Sendable, Hashable {
    public var contentType: String?
    public var contentEncoding: String?
    public var headers: [String: JSONValue]
    /// 2 = persistent, 1 = transient.
    public var deliveryMode: Int?
    public var priority: Int?
    public var correlationID: String?
    public var replyTo: String?
    /// Milliseconds the broker may keep the message queued (RabbitMQ's per-message TTL).
    public var expiration: String?

    public init(contentType: String? = nil, contentEncoding: String? = nil, headers: [String: JSONValue] = [:],
                deliveryMode: Int? = nil, priority: Int? = nil, correlationID: String? = nil,
                replyTo: String? = nil, expiration: String? = nil) {
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.headers = headers
        self.deliveryMode = deliveryMode
        self.priority = priority
        self.correlationID = correlationID
        self.replyTo = replyTo
        self.expiration = expiration
    }

    /// What Celery sets on every JSON message.
    public static let json = MessageProperties(contentType: "application/json", contentEncoding: "utf-8")
}
