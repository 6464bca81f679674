/// What a control command answers when it only reports success or failure: `{"ok": message}`
/// (ping, revoke, rate_limit, time_limit, autoscale, add_consumer, cancel_consumer,
/// enable_events, disable_events, pool_grow/shrink, report) or `{"error": message}` (a refused
/// command, or any command that raised: kombu replies `{"error": repr(exc)}`).
public enum ControlOutcome: Sendable, Hashable {
    case ok(String)
    case error(String)

    /// Reads `{"ok": …}` or `{"error": …}`; a non-string value is kept as its JSON text.
    public init(reply: JSONValue) throws(PidboxError) {
        if let value = reply["ok"] {
            self = .ok(value.stringValue ?? value.serialized)
        } else if let value = reply["error"] {
            self = .error(value.stringValue ?? value.serialized)
        } else {
            throw .unexpectedReply(method: "control", value: reply.pidboxPreview,
                                   expected: #"{"ok": message} or {"error": message}"#)
        }
    }

    public var isOK: Bool {
        if case .ok = self { return true }
        return false
    }

    /// The text either way, e.g. "pong" or "unknown task".
    public var message: String {
        switch self {
        case .ok(let message), .error(let message): return message
        }
    }
}

/// Readers for replies that are plain JSON values.
public enum ControlReply {
    /// `registered` → task names, each followed by ` [attr=value …]` when attributes were asked for.
    public static func registeredTasks(_ reply: JSONValue) throws(PidboxError) -> [String] {
        try strings(reply, method: "registered")
    }

    /// `revoked` → the revoked task ids.
    public static func revokedTaskIDs(_ reply: JSONValue) throws(PidboxError) -> [String] {
        try strings(reply, method: "revoked")
    }

    /// `clock` → the node's logical clock.
    public static func clock(_ reply: JSONValue) throws(PidboxError) -> Int {
        try reply.checkedReply()
        guard let clock = reply["clock"].flatMap(PidboxRequest.clockValue) else {
            throw .unexpectedReply(method: "clock", value: reply.pidboxPreview, expected: #"{"clock": n}"#)
        }
        return clock
    }

    /// `conf` → the worker's settings by name (values as JSON; unknown types as their repr).
    public static func configuration(_ reply: JSONValue) throws(PidboxError) -> [String: JSONValue] {
        try reply.checkedReply()
        guard let settings = reply.objectValue else {
            throw .unexpectedReply(method: "conf", value: reply.pidboxPreview, expected: "an object of settings")
        }
        return settings
    }

    static func strings(_ reply: JSONValue, method: String) throws(PidboxError) -> [String] {
        try reply.checkedReply()
        guard let list = reply.arrayValue else {
            throw .unexpectedReply(method: method, value: reply.pidboxPreview, expected: "a list of strings")
        }
        var strings: [String] = []
        for element in list {
            guard let string = element.stringValue else {
                throw .unexpectedReply(method: method, value: reply.pidboxPreview, expected: "a list of strings")
            }
            strings.append(string)
        }
        return strings
    }
}

/// The answer to `hello` (mingle): the node's revoked ids and its clock. A node answers its
/// own hello with null, which this refuses.
public struct HelloReply: Sendable, Hashable {
    /// Revoked task ids. Celery sends its LimitedSet's data, `{id: [timestamp, id]}`; a plain
    /// list of ids is read too.
    public var revoked: [String]
    public var clock: Int?
    public var raw: JSONValue

    public init(reply: JSONValue) throws(PidboxError) {
        try reply.checkedReply()
        guard reply.objectValue != nil else {
            throw .unexpectedReply(method: "hello", value: reply.pidboxPreview, expected: #"{"revoked": …, "clock": n}"#)
        }
        switch reply["revoked"] {
        case .object(let entries)?: revoked = entries.keys.sorted()
        case .array(let ids)?: revoked = ids.compactMap(\.stringValue)
        default: revoked = []
        }
        clock = reply["clock"].flatMap(PidboxRequest.clockValue)
        raw = reply
    }
}

extension JSONValue {
    /// Throws `workerError` when a reply is `{"error": message}` instead of the method's value.
    func checkedReply() throws(PidboxError) {
        if case .object(let object) = self, object.count == 1, let message = object["error"] {
            throw .workerError(message.stringValue ?? message.serialized)
        }
    }

    /// The value at `key` unless missing or null.
    func pidboxField(_ key: String) -> JSONValue? {
        guard let value = self[key], !value.isNull else { return nil }
        return value
    }
}
