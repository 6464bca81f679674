/// One Celery monitoring event (`task-sent`, `worker-heartbeat`, …) exactly as it travels on the
/// `celeryev` exchange. Every field stays raw in `fields`, so event types and fields Celeriac does
/// not know (a newer Celery's, a plugin's) pass through a monitor or a relay unchanged; the
/// accessors below only read from it.
public struct CeleryEvent: Sendable, Hashable {
    /// The event as sent: a JSON object that always has a string `type`.
    public private(set) var fields: [String: JSONValue]

    /// Reads an event from the JSON a sender published; refuses anything that is not an object
    /// with a string `type`, which is the only field Celery itself requires (celery/events/event.py).
    public init(_ value: JSONValue) throws(CeleryEventError) {
        guard let object = value.objectValue else {
            throw .notAnObject(found: CeleryEventError.describe(value))
        }
        try self.init(fields: object)
    }

    /// Reads an event from its fields; refuses a missing or non-string `type`.
    public init(fields: [String: JSONValue]) throws(CeleryEventError) {
        guard let type = fields["type"] else { throw .missingType }
        guard let text = type.stringValue, !text.isEmpty else {
            throw .invalidType(found: type == .string("") ? "an empty string" : CeleryEventError.describe(type))
        }
        self.fields = fields
    }

    /// Builds an event to send: `fields` plus the envelope every Celery event carries.
    /// `type` and `hostname` always win over the same keys in `fields`; the other envelope values
    /// are written only when given (a dispatcher passes its clock, pid and the current time).
    public init(
        type: String, hostname: String, timestamp: Double? = nil, utcoffset: Double? = nil,
        pid: Int? = nil, clock: Int? = nil, fields: [String: JSONValue] = [:]
    ) {
        var all = fields
        all["type"] = .string(type)
        all["hostname"] = .string(hostname)
        if let timestamp { all["timestamp"] = .double(timestamp) }
        if let utcoffset { all["utcoffset"] = .double(utcoffset) }  // a float, as Celery sends it
        if let pid { all["pid"] = .int(pid) }
        if let clock { all["clock"] = .int(clock) }
        self.fields = all
    }

    /// A field by name, raw; nil when the event lacks it.
    public subscript(field: String) -> JSONValue? { fields[field] }
}

// MARK: - The envelope every event carries

extension CeleryEvent {
    /// The event type as sent, e.g. `task-succeeded`.
    public var type: String { fields["type"]?.stringValue ?? "" }

    /// The type as a value to switch over; unknown types are `.other`.
    public var kind: Kind { Kind(type: type) }

    /// The part of the type before the first '-' (`task`, `worker`), as Celery's `group_from`;
    /// it names the batch routing key `<group>.multi`.
    public var group: String { String(type.prefix { $0 != "-" }) }

    /// True for any `task-*` event, custom ones included (Celery's `State` treats them alike).
    public var isTaskEvent: Bool { group == "task" }

    /// True for any `worker-*` event.
    public var isWorkerEvent: Bool { group == "worker" }

    /// The node that sent the event (`worker@host`, or `gen<pid>@host` for a client).
    public var hostname: String? { fields["hostname"]?.stringValue }

    /// Seconds since the epoch on the sender's clock, when it was sent.
    public var timestamp: Double? { fields["timestamp"]?.doubleValue }

    /// The sender's offset from UTC in whole hours (Celery's `utcoffset()`, its sign as
    /// Python's `time.timezone`). Celery 5.7 writes it as a float (`0.0` in every fixture),
    /// so a whole-valued float is read as an Int; a fractional one is floored like Python's `//`.
    public var utcoffset: Int? {
        guard let raw = fields["utcoffset"] else { return nil }
        if let whole = raw.intValue { return whole }
        guard let hours = raw.doubleValue, hours.isFinite, abs(hours) < 1_000_000 else { return nil }
        return Int(hours.rounded(.down))
    }

    /// The sender's process id.
    public var pid: Int? { fields["pid"]?.intValue }

    /// The sender's Lamport clock; absent or null for a "blind" event.
    public var clock: Int? { fields["clock"]?.intValue }
}

// MARK: - Kind

extension CeleryEvent {
    /// The event types Celery 5 sends, plus Celeriac's `task-progress`.
    public enum Kind: Sendable, Hashable {
        case workerOnline
        case workerHeartbeat
        case workerOffline
        case taskSent
        case taskReceived
        case taskStarted
        case taskSucceeded
        case taskFailed
        case taskRetried
        case taskRevoked
        case taskRejected
        /// Celeriac's extension: a task's custom state (`uuid`, `state`, `meta`). Celery itself
        /// sends no event for `update_state`; its `State` shows this one as a custom state.
        case taskProgress
        /// Any type not listed above, kept by name.
        case other(String)

        /// The kind for a type name as it appears in the `type` field.
        public init(type: String) {
            switch type {
            case "worker-online": self = .workerOnline
            case "worker-heartbeat": self = .workerHeartbeat
            case "worker-offline": self = .workerOffline
            case "task-sent": self = .taskSent
            case "task-received": self = .taskReceived
            case "task-started": self = .taskStarted
            case "task-succeeded": self = .taskSucceeded
            case "task-failed": self = .taskFailed
            case "task-retried": self = .taskRetried
            case "task-revoked": self = .taskRevoked
            case "task-rejected": self = .taskRejected
            case "task-progress": self = .taskProgress
            default: self = .other(type)
            }
        }

        /// The type name written in the `type` field.
        public var type: String {
            switch self {
            case .workerOnline: return "worker-online"
            case .workerHeartbeat: return "worker-heartbeat"
            case .workerOffline: return "worker-offline"
            case .taskSent: return "task-sent"
            case .taskReceived: return "task-received"
            case .taskStarted: return "task-started"
            case .taskSucceeded: return "task-succeeded"
            case .taskFailed: return "task-failed"
            case .taskRetried: return "task-retried"
            case .taskRevoked: return "task-revoked"
            case .taskRejected: return "task-rejected"
            case .taskProgress: return "task-progress"
            case .other(let type): return type
            }
        }
    }
}
