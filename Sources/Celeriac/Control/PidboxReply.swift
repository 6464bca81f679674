/// One node's answer to a request, as kombu's `Mailbox._publish_reply` sends it on
/// `reply.celery.pidbox`: body `{node: reply}`, headers `ticket` (the request's) and `clock`.
public struct PidboxReply: Sendable, Hashable {
    /// The answering node, e.g. "celery@host".
    public var node: String
    /// What the command returned: `{"ok": …}`, `{"error": …}`, a list, an object or null.
    public var reply: JSONValue
    /// The request's ticket; kombu before 2.5 sent none.
    public var ticket: String?
    /// The `clock` header: the node's logical clock when replying.
    public var clock: Int

    public init(node: String, reply: JSONValue, ticket: String?, clock: Int = 0) {
        self.node = node
        self.reply = reply
        self.ticket = ticket
        self.clock = clock
    }

    /// `{node: reply}`.
    public var body: JSONValue { .object([node: reply]) }

    public var bodyBytes: [UInt8] { body.serializedBytes }

    /// `ticket` and `clock`, as kombu sets them.
    public var headers: [String: JSONValue] {
        var headers: [String: JSONValue] = ["clock": .int(clock)]
        if let ticket { headers["ticket"] = .string(ticket) }
        return headers
    }

    /// Whether this answers `request` (same ticket; an untagged reply is taken as an answer,
    /// as kombu's collector does).
    public func answers(_ request: PidboxRequest) -> Bool {
        guard let ticket else { return true }
        return ticket == request.ticket
    }

    /// The message to publish to the requester's reply address (transient, as kombu sends it).
    public func brokerMessage(to address: PidboxReplyAddress) -> BrokerMessage {
        let properties = PidboxCoding.properties(headers: headers, deliveryMode: PidboxTopology.replyDeliveryMode)
        return BrokerMessage(exchange: address.exchange, routingKey: address.routingKey, properties: properties,
                             body: bodyBytes)
    }
}

extension PidboxReply {
    /// Reads a reply from a delivered message, refusing what is not JSON.
    public init(_ message: BrokerMessage) throws(PidboxError) {
        try PidboxCoding.checkContentType(of: message)
        try self.init(decoding: message.body, headers: message.properties.headers)
    }

    /// Reads a reply from its body bytes and headers.
    public init(decoding body: [UInt8], headers: [String: JSONValue]) throws(PidboxError) {
        let object = try PidboxCoding.object(from: body)
        guard object.count == 1, let entry = object.first else { throw .replyNodeCount(object.count) }
        var ticket: String? = nil
        if let value = headers["ticket"], !value.isNull {
            guard let string = value.stringValue else {
                throw .invalidField(name: "ticket", value: value.pidboxPreview, expected: "the request's ticket string")
            }
            ticket = string
        }
        let clock = headers["clock"].flatMap(PidboxRequest.clockValue) ?? 0
        self.init(node: entry.key, reply: entry.value, ticket: ticket, clock: clock)
    }
}

extension PidboxRequest {
    /// The reply `node` sends with `value`, or nil when this request wants none (a cast).
    public func reply(from node: String, _ value: JSONValue, clock: Int = 0) -> PidboxReply? {
        guard replyTo != nil else { return nil }
        return PidboxReply(node: node, reply: value, ticket: ticket, clock: clock)
    }
}
