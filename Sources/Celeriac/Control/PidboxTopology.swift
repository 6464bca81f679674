import Foundation

/// The broker entities Celery's remote control ("pidbox") uses, as kombu's `Mailbox` declares
/// them for `app.control` (namespace = `control_exchange`, "celery" by default). Checked against
/// the worker's topology captured in `fixtures/celery-amqp/topology.txt`.
public struct PidboxTopology: Sendable, Hashable {
    /// Celery's `control_exchange` setting.
    public var namespace: String
    /// `control_queue_ttl` (300 s) in milliseconds: RabbitMQ drops requests older than this.
    public var queueMessageTTL: Int
    /// `control_queue_expires` (10 s) in milliseconds: an unused mailbox queue is deleted after this.
    public var queueExpires: Int

    public init(namespace: String = "celery", queueMessageTTL: Int = 300_000, queueExpires: Int = 10_000) {
        self.namespace = namespace
        self.queueMessageTTL = queueMessageTTL
        self.queueExpires = queueExpires
    }

    /// Celery's defaults: `celery.pidbox`, `reply.celery.pidbox`, TTL 300 s, expiry 10 s.
    public static let celery = PidboxTopology()

    /// The fanout exchange every request goes to; each node filters by `destination`.
    public var exchange: PidboxExchange {
        PidboxExchange(name: "\(namespace).pidbox", type: "fanout")
    }

    /// The direct exchange replies go to, routed by the requester's reply key.
    public var replyExchange: PidboxExchange {
        PidboxExchange(name: "reply.\(namespace).pidbox", type: "direct")
    }

    /// `x-expires` and `x-message-ttl`, as the worker's mailbox queue carries them.
    public var queueArguments: [String: JSONValue] {
        ["x-expires": .int(queueExpires), "x-message-ttl": .int(queueMessageTTL)]
    }

    /// A worker's mailbox, `<node>.celery.pidbox`, bound to the fanout exchange with key "".
    public func nodeQueue(for node: String) -> PidboxQueue {
        PidboxQueue(name: "\(node).\(namespace).pidbox", exchange: exchange.name, routingKey: "",
                    arguments: queueArguments)
    }

    /// A requester's reply queue, `<key>.reply.celery.pidbox`, bound to the reply exchange with
    /// the bare key. Requests name only the key (`reply_to.routing_key`), never the queue.
    public func replyQueue(for replyKey: String) -> PidboxQueue {
        PidboxQueue(name: "\(replyKey).\(replyExchange.name)", exchange: replyExchange.name, routingKey: replyKey,
                    arguments: queueArguments)
    }

    /// Where replies to this requester go: the reply exchange and its key.
    public func replyAddress(for replyKey: String) -> PidboxReplyAddress {
        PidboxReplyAddress(exchange: replyExchange.name, routingKey: replyKey)
    }

    /// A fresh reply key. kombu derives a uuid3 from host, pid, thread and object (`oid_from`);
    /// only its uniqueness matters to workers, so a random UUID in the same text form serves.
    public static func newReplyKey() -> String {
        UUID().uuidString.lowercased()
    }

    /// Requests are published persistent (kombu publishes them by exchange name, so the
    /// producer's default applies); replies transient (the reply exchange says so).
    public static let requestDeliveryMode = 2
    public static let replyDeliveryMode = 1
}

/// A pidbox exchange: never durable, never auto-deleted.
public struct PidboxExchange: Sendable, Hashable {
    public var name: String
    /// "fanout" for requests, "direct" for replies.
    public var type: String
    public var durable: Bool { false }
    public var autoDelete: Bool { false }

    public init(name: String, type: String) {
        self.name = name
        self.type = type
    }
}

/// A pidbox queue: non-durable, exclusive and auto-deleted (Celery's defaults for
/// `control_queue_durable` and `control_queue_exclusive`), with its binding.
public struct PidboxQueue: Sendable, Hashable {
    public var name: String
    /// The exchange the queue is bound to.
    public var exchange: String
    public var routingKey: String
    public var durable: Bool
    public var exclusive: Bool
    public var autoDelete: Bool
    public var arguments: [String: JSONValue]

    public init(name: String, exchange: String, routingKey: String, durable: Bool = false, exclusive: Bool = true,
                autoDelete: Bool = true, arguments: [String: JSONValue] = [:]) {
        self.name = name
        self.exchange = exchange
        self.routingKey = routingKey
        self.durable = durable
        self.exclusive = exclusive
        self.autoDelete = autoDelete
        self.arguments = arguments
    }
}

/// `reply_to` in a request: where the requester collects replies.
public struct PidboxReplyAddress: Sendable, Hashable {
    public var exchange: String
    /// The requester's reply key (its reply queue is `<key>.reply.celery.pidbox`).
    public var routingKey: String

    public init(exchange: String = PidboxTopology.celery.replyExchange.name, routingKey: String) {
        self.exchange = exchange
        self.routingKey = routingKey
    }

    /// `{"exchange": ..., "routing_key": ...}` as it appears in a request body.
    public var json: JSONValue {
        ["exchange": .string(exchange), "routing_key": .string(routingKey)]
    }

    /// Reads `reply_to` from a request body.
    public init(json: JSONValue) throws(PidboxError) {
        guard let exchange = json["exchange"]?.stringValue, let routingKey = json["routing_key"]?.stringValue else {
            throw .invalidField(name: "reply_to", value: json.pidboxPreview,
                                expected: "an object with string 'exchange' and 'routing_key'")
        }
        self.init(exchange: exchange, routingKey: routingKey)
    }
}
