/// An entry of the `active_queues` reply: a queue the worker consumes from, as kombu's
/// `Queue.as_dict(recurse=True)` writes it.
public struct QueueInfo: Sendable, Hashable {
    public var name: String
    public var exchange: ExchangeInfo?
    public var routingKey: String?
    public var durable: Bool
    public var exclusive: Bool
    public var autoDelete: Bool
    public var noAck: Bool
    /// Declare arguments, e.g. `x-max-priority`.
    public var queueArguments: [String: JSONValue]
    public var bindingArguments: [String: JSONValue]
    public var consumerArguments: [String: JSONValue]
    /// kombu's queue options in seconds / counts; nil when unset.
    public var expires: Double?
    public var messageTTL: Double?
    public var maxLength: Int?
    public var maxLengthBytes: Int?
    public var maxPriority: Int?
    public var raw: JSONValue

    public init(json: JSONValue) throws(PidboxError) {
        guard json.objectValue != nil, let name = json["name"]?.stringValue else {
            throw .unexpectedReply(method: "active_queues", value: json.pidboxPreview, expected: "a queue object with a 'name'")
        }
        self.name = name
        exchange = json.pidboxField("exchange").flatMap(ExchangeInfo.init(json:))
        routingKey = json["routing_key"]?.stringValue
        durable = json["durable"]?.boolValue ?? true
        exclusive = json["exclusive"]?.boolValue ?? false
        autoDelete = json["auto_delete"]?.boolValue ?? false
        noAck = json["no_ack"]?.boolValue ?? false
        queueArguments = json["queue_arguments"]?.objectValue ?? [:]
        bindingArguments = json["binding_arguments"]?.objectValue ?? [:]
        consumerArguments = json["consumer_arguments"]?.objectValue ?? [:]
        expires = json["expires"]?.doubleValue
        messageTTL = json["message_ttl"]?.doubleValue
        maxLength = json["max_length"]?.intValue
        maxLengthBytes = json["max_length_bytes"]?.intValue
        maxPriority = json["max_priority"]?.intValue
        raw = json
    }

    /// The list `active_queues` answers.
    public static func list(from reply: JSONValue) throws(PidboxError) -> [QueueInfo] {
        try reply.checkedReply()
        guard let entries = reply.arrayValue else {
            throw .unexpectedReply(method: "active_queues", value: reply.pidboxPreview, expected: "a list of queue objects")
        }
        var queues: [QueueInfo] = []
        for entry in entries { queues.append(try QueueInfo(json: entry)) }
        return queues
    }
}

/// The exchange of a `QueueInfo`.
public struct ExchangeInfo: Sendable, Hashable {
    public var name: String
    /// "direct", "topic", "fanout" or "headers".
    public var type: String?
    public var durable: Bool
    public var autoDelete: Bool
    public var arguments: [String: JSONValue]
    public var raw: JSONValue

    /// nil unless the object names the exchange.
    public init?(json: JSONValue) {
        guard let name = json["name"]?.stringValue else { return nil }
        self.name = name
        type = json["type"]?.stringValue
        durable = json["durable"]?.boolValue ?? true
        autoDelete = json["auto_delete"]?.boolValue ?? false
        arguments = json["arguments"]?.objectValue ?? [:]
        raw = json
    }
}
