import Foundation

/// How to send one task: Celery's `apply_async` options.
public struct TaskSendOptions: Sendable, Hashable {
    /// Seconds from now until the task may run; sets `eta`.
    public var countdown: Double?
    public var eta: Date?
    /// After this the task is revoked rather than run (and the broker may drop it unseen).
    public var expires: Date?
    public var queue: String?
    public var exchange: String?
    public var routingKey: String?
    public var priority: Int?
    /// Extra headers, sent beside Celery's own.
    public var headers: [String: JSONValue]
    public var link: [Signature]
    public var linkError: [Signature]
    public var taskID: String?
    /// The name shown in monitors instead of the real task name.
    public var shadow: String?
    public var ignoreResult: Bool
    public var softTimeLimit: Double?
    public var timeLimit: Double?
    /// Set by workers (retries, canvas): the task that sent this one, and the first of the tree.
    public var parentID: String?
    public var rootID: String?
    public var groupID: String?
    public var groupIndex: Int?
    public var retries: Int
    /// The rest of a chain, reversed (the next task last).
    public var chain: [Signature]?
    public var chord: Signature?
    /// How many `replace` calls led to this task (Celery's `replaced_task_nesting`).
    public var replacedTaskNesting: Int = 0

    public init(countdown: Double? = nil, eta: Date? = nil, expires: Date? = nil, queue: String? = nil,
                exchange: String? = nil, routingKey: String? = nil, priority: Int? = nil,
                headers: [String: JSONValue] = [:], link: [Signature] = [], linkError: [Signature] = [],
                taskID: String? = nil, shadow: String? = nil, ignoreResult: Bool = false,
                softTimeLimit: Double? = nil, timeLimit: Double? = nil, parentID: String? = nil,
                rootID: String? = nil, groupID: String? = nil, groupIndex: Int? = nil, retries: Int = 0,
                chain: [Signature]? = nil, chord: Signature? = nil) {
        self.countdown = countdown
        self.eta = eta
        self.expires = expires
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
        self.priority = priority
        self.headers = headers
        self.link = link
        self.linkError = linkError
        self.taskID = taskID
        self.shadow = shadow
        self.ignoreResult = ignoreResult
        self.softTimeLimit = softTimeLimit
        self.timeLimit = timeLimit
        self.parentID = parentID
        self.rootID = rootID
        self.groupID = groupID
        self.groupIndex = groupIndex
        self.retries = retries
        self.chain = chain
        self.chord = chord
    }
}

extension TaskSendOptions {
    /// `expires` given in seconds from now, as Celery's `expires=60` is.
    public var expiresIn: Double? {
        get { expires.map { $0.timeIntervalSinceNow } }
        set { expires = newValue.map { Date().addingTimeInterval($0) } }
    }
}
