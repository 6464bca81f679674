import Foundation

/// A remote-control request as kombu's `Mailbox._publish` sends it on `celery.pidbox`: body
/// `{method, arguments, destination, pattern, matcher}` plus `ticket` and `reply_to` when the
/// sender waits for replies; headers `clock` (the sender's Lamport clock) and `expires`.
public struct PidboxRequest: Sendable, Hashable {
    /// The control command, e.g. "ping", "revoke", "stats".
    public var method: String
    /// The command's keyword arguments.
    public var arguments: [String: JSONValue]
    /// The nodes that should act; nil (or empty) addresses every node.
    public var destination: [String]?
    /// Selects nodes by name when there is no destination; used only together with `matcher`.
    public var pattern: String?
    /// "glob" or "pcre": how `pattern` is matched against node names.
    public var matcher: String?
    /// Pairs replies with this request; nil for a cast that wants no reply.
    public var ticket: String?
    /// Where replies go; nil for a cast. Workers reply only when it is present.
    public var replyTo: PidboxReplyAddress?
    /// The `clock` header: the sender's logical clock when sending.
    public var clock: Int
    /// The `expires` header as seconds since 1970; nil is sent as 0, meaning never.
    public var expires: Double?

    public init(method: String, arguments: [String: JSONValue] = [:], destination: [String]? = nil,
                pattern: String? = nil, matcher: String? = nil, ticket: String? = nil,
                replyTo: PidboxReplyAddress? = nil, clock: Int = 0, expires: Double? = nil) {
        self.method = method
        self.arguments = arguments
        self.destination = destination
        self.pattern = pattern
        self.matcher = matcher
        self.ticket = ticket
        self.replyTo = replyTo
        self.clock = clock
        self.expires = expires
    }

    /// A fresh ticket, a random UUID as kombu makes them.
    public static func newTicket() -> String {
        UUID().uuidString.lowercased()
    }

    /// The same request, asking for replies at `address` within `timeout` seconds of `now`
    /// (kombu sets `expires` to the sender's deadline).
    public func replying(to address: PidboxReplyAddress, ticket: String = PidboxRequest.newTicket(),
                         timeout: Double = 1.0, now: Date = Date()) -> PidboxRequest {
        var copy = self
        copy.replyTo = address
        copy.ticket = ticket
        copy.expires = now.timeIntervalSince1970 + timeout
        return copy
    }

    /// True once `expires` has passed. Celery's workers do not check this (only kombu's reply
    /// collector does); it is here for a node that prefers to skip stale requests.
    public func isExpired(at now: Date = Date()) -> Bool {
        guard let expires, expires > 0 else { return false }
        return now.timeIntervalSince1970 > expires
    }

    /// Whether `node` should act on this request, as kombu's `Node.handle_message` decides:
    /// a non-empty destination must list the node; otherwise a pattern with a matcher must
    /// match its name; otherwise every node acts. An unknown matcher matches nothing.
    public func isAddressed(to node: String) -> Bool {
        if let destination, !destination.isEmpty {
            return destination.contains(node)
        }
        if let pattern, !pattern.isEmpty, let matcher, !matcher.isEmpty {
            return PidboxMatcher.matches(node, pattern: pattern, matcher: matcher)
        }
        return true
    }
}

extension PidboxRequest {
    /// The body as Celery writes it; `ticket` and `reply_to` appear only when replies are wanted.
    public var body: JSONValue {
        var object: [String: JSONValue] = [
            "method": .string(method),
            "arguments": .object(arguments),
            "destination": destination.map { names in JSONValue.array(names.map(JSONValue.string)) } ?? .null,
            "pattern": pattern.map(JSONValue.string) ?? .null,
            "matcher": matcher.map(JSONValue.string) ?? .null,
        ]
        if let ticket { object["ticket"] = .string(ticket) }
        if let replyTo { object["reply_to"] = replyTo.json }
        return .object(object)
    }

    public var bodyBytes: [UInt8] { body.serializedBytes }

    /// `clock` and `expires`, as kombu sets them (`expires` 0 when there is no deadline).
    public var headers: [String: JSONValue] {
        ["clock": .int(clock), "expires": expires.map(JSONValue.double) ?? .int(0)]
    }

    /// The message to publish on the pidbox exchange (fanout, so the routing key is empty).
    public func brokerMessage(topology: PidboxTopology = .celery) -> BrokerMessage {
        let properties = PidboxCoding.properties(headers: headers, deliveryMode: PidboxTopology.requestDeliveryMode)
        return BrokerMessage(exchange: topology.exchange.name, routingKey: "", properties: properties,
                             body: bodyBytes)
    }
}

extension PidboxRequest {
    /// Reads a request from a delivered message, refusing what is not JSON.
    public init(_ message: BrokerMessage) throws(PidboxError) {
        try PidboxCoding.checkContentType(of: message)
        try self.init(decoding: message.body, headers: message.properties.headers)
    }

    /// Reads a request from its body bytes and headers. Missing optional fields read as kombu
    /// reads them: no arguments is `{}`, no destination is every node, no clock is 0.
    public init(decoding body: [UInt8], headers: [String: JSONValue]) throws(PidboxError) {
        let object = try PidboxCoding.object(from: body)
        guard let methodValue = object["method"], !methodValue.isNull else { throw .missingField("method") }
        guard let method = methodValue.stringValue else {
            throw .invalidField(name: "method", value: methodValue.pidboxPreview, expected: "a command name string")
        }
        var arguments: [String: JSONValue] = [:]
        if let value = object["arguments"], !value.isNull {
            guard let dictionary = value.objectValue else {
                throw .invalidField(name: "arguments", value: value.pidboxPreview, expected: "an object of keyword arguments")
            }
            arguments = dictionary
        }
        var destination: [String]? = nil
        if let value = object["destination"], !value.isNull {
            guard let list = value.arrayValue else {
                throw .invalidField(name: "destination", value: value.pidboxPreview, expected: "a list of node names or null")
            }
            var names: [String] = []
            for element in list {
                guard let name = element.stringValue else {
                    throw .invalidField(name: "destination", value: value.pidboxPreview, expected: "a list of node names or null")
                }
                names.append(name)
            }
            destination = names
        }
        let pattern = try Self.optionalString("pattern", in: object)
        let matcher = try Self.optionalString("matcher", in: object)
        let ticket = try Self.optionalString("ticket", in: object)
        var replyTo: PidboxReplyAddress? = nil
        if let value = object["reply_to"], !value.isNull {
            replyTo = try PidboxReplyAddress(json: value)
        }
        // kombu: `message.headers.get('clock') or 0`; `expires` is a float epoch, 0 for none.
        let clock = headers["clock"].flatMap(Self.clockValue) ?? 0
        let expires = headers["expires"]?.doubleValue.flatMap { $0 > 0 ? $0 : nil }
        self.init(method: method, arguments: arguments, destination: destination, pattern: pattern,
                  matcher: matcher, ticket: ticket, replyTo: replyTo, clock: clock, expires: expires)
    }

    /// A clock header is an integer; Celery's own stats report it as a string, so accept both.
    static func clockValue(_ value: JSONValue) -> Int? {
        if let number = value.intValue { return number }
        if let text = value.stringValue { return Int(text) }
        return nil
    }

    private static func optionalString(_ name: String, in object: [String: JSONValue]) throws(PidboxError) -> String? {
        guard let value = object[name], !value.isNull else { return nil }
        guard let string = value.stringValue else {
            throw .invalidField(name: name, value: value.pidboxPreview, expected: "a string or null")
        }
        return string
    }
}
