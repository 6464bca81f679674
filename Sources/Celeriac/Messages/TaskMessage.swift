import Foundation

/// A Celery protocol v2 task message: headers that say what to run and how, and the body
/// `[args, kwargs, embed]`. Every header is kept, known or not, so a message decoded and
/// encoded again equals the original.
public struct TaskMessage: Sendable, Hashable {
    public var headers: [String: JSONValue] {
        didSet { (id, taskName) = Self.identity(in: headers) }
    }
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    public var embed: TaskEmbed
    /// Properties other than headers: priority, reply_to, correlation id, expiration, …
    public var properties: MessageProperties

    public init(headers: [String: JSONValue], args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                embed: TaskEmbed = TaskEmbed(), properties: MessageProperties = .json) {
        self.headers = headers
        (id, taskName) = Self.identity(in: headers)
        self.args = args
        self.kwargs = kwargs
        self.embed = embed
        self.properties = properties
        self.properties.headers = [:]
    }

    // MARK: The headers, typed

    /// Kept beside the headers, which they are read from: a worker asks for them a dozen
    /// times per task, and each lookup hashes the key.
    public private(set) var id: String
    public private(set) var taskName: String

    private static func identity(in headers: [String: JSONValue]) -> (id: String, taskName: String) {
        (headers["id"]?.stringValue ?? "", headers["task"]?.stringValue ?? "")
    }

    public var rootID: String? { headers["root_id"]?.stringValue }
    public var parentID: String? { headers["parent_id"]?.stringValue }
    public var groupID: String? { headers["group"]?.stringValue }
    public var groupIndex: Int? { headers["group_index"]?.intValue }
    public var retries: Int { headers["retries"]?.intValue ?? 0 }
    public var shadow: String? { headers["shadow"]?.stringValue }
    public var origin: String? { headers["origin"]?.stringValue }
    public var ignoreResult: Bool { headers["ignore_result"]?.boolValue ?? false }
    public var argsRepr: String? { headers["argsrepr"]?.stringValue }
    public var kwargsRepr: String? { headers["kwargsrepr"]?.stringValue }
    /// When to run, from the `eta` header (ISO 8601 with offset).
    public var eta: Date? { headers["eta"]?.stringValue.flatMap(CeleryTime.parse) }
    /// When the task stops being worth running.
    public var expires: Date? { headers["expires"]?.stringValue.flatMap(CeleryTime.parse) }
    /// `timelimit` [soft, hard] in seconds; nil where unset.
    public var timeLimit: (soft: Double?, hard: Double?) {
        let pair = headers["timelimit"]?.arrayValue ?? []
        return (pair.first?.doubleValue, pair.dropFirst().first?.doubleValue)
    }
    /// The caller's rpc:// reply queue.
    public var replyTo: String? { properties.replyTo }
    public var priority: Int? { properties.priority }
}

/// The third element of a task body: what runs after this task.
public struct TaskEmbed: Sendable, Hashable {
    /// link: run with this task's result on success.
    public var callbacks: [Signature]?
    /// link_error: run when this task fails.
    public var errbacks: [Signature]?
    /// The rest of a chain, reversed: the last element runs next.
    public var chain: [Signature]?
    /// The chord body, on each of a chord's header tasks.
    public var chord: Signature?
    /// Keys Celery may add later, kept as they came.
    public var other: [String: JSONValue]

    public init(callbacks: [Signature]? = nil, errbacks: [Signature]? = nil, chain: [Signature]? = nil,
                chord: Signature? = nil, other: [String: JSONValue] = [:]) {
        self.callbacks = callbacks
        self.errbacks = errbacks
        self.chain = chain
        self.chord = chord
        self.other = other
    }
}
