import Foundation

/// The request a running task sees — Celery's `self.request` in a bound task: who it is, what
/// it was called with, where the message came from, and how to retry, reject or report progress.
public struct TaskContext: Sendable {
    public var id: String
    public var name: String
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    /// How many times this task has been retried so far (0 on the first run).
    public var retries: Int
    public var eta: Date?
    public var expires: Date?
    /// The worker node running the task, e.g. "celery@host".
    public var hostname: String
    public var deliveryInfo: DeliveryInfo
    public var parentID: String?
    public var rootID: String?
    public var groupID: String?
    public var groupIndex: Int?
    public var correlationID: String?
    /// The caller's rpc:// reply queue.
    public var replyTo: String?
    /// The sender, `<name><pid>@<host>`.
    public var origin: String?
    public var shadow: String?
    public var ignoreResult: Bool
    /// The message's own `timelimit` header, which overrides the task's limits.
    public var softTimeLimit: Double?
    public var timeLimit: Double?
    /// What runs after this task: link, link_error, the rest of a chain, a chord body.
    public var embed: TaskEmbed
    /// Every message header, known or not (custom headers a caller added included).
    public var headers: [String: JSONValue]
    /// The task's options, resolved against the app's defaults. `TaskExecutor` sets them before
    /// the body runs; `retry()` reads the retry limit and default delay from here.
    public var options: TaskOptions
    public let reporter: any TaskStateReporter

    /// A context from scratch: for running a task in-process and for tests.
    public init(id: String = UUID().uuidString.lowercased(), name: String, args: [JSONValue] = [],
                kwargs: [String: JSONValue] = [:], retries: Int = 0, hostname: String = "",
                deliveryInfo: DeliveryInfo = DeliveryInfo(), options: TaskOptions = TaskOptions(),
                reporter: any TaskStateReporter = NoStateReporter()) {
        self.id = id
        self.name = name
        self.args = args
        self.kwargs = kwargs
        self.retries = retries
        self.hostname = hostname
        self.deliveryInfo = deliveryInfo
        self.rootID = id
        self.correlationID = id
        self.ignoreResult = false
        self.embed = TaskEmbed()
        self.headers = [:]
        self.options = options
        self.reporter = reporter
    }

    /// The context of a task message a worker received.
    public init(message: TaskMessage, hostname: String, deliveryInfo: DeliveryInfo = DeliveryInfo(),
                options: TaskOptions = TaskOptions(), reporter: any TaskStateReporter = NoStateReporter()) {
        self.init(id: message.id, name: message.taskName, args: message.args, kwargs: message.kwargs,
                  retries: message.retries, hostname: hostname, deliveryInfo: deliveryInfo, options: options,
                  reporter: reporter)
        eta = message.eta
        expires = message.expires
        parentID = message.parentID
        rootID = message.rootID ?? message.id
        groupID = message.groupID
        groupIndex = message.groupIndex
        correlationID = message.properties.correlationID ?? message.id
        replyTo = message.replyTo
        origin = message.origin
        shadow = message.shadow
        ignoreResult = message.ignoreResult
        softTimeLimit = message.timeLimit.soft
        timeLimit = message.timeLimit.hard
        embed = message.embed
        headers = message.headers
    }

    /// Asks for this task to run again later (Celery's `Task.retry`); always throws. Without
    /// `countdown` or `eta` it waits the task's default retry delay. Throws `TaskRetry`, or
    /// `MaxRetriesExceeded` when one more retry would pass `maxRetries` (this call's, else the
    /// task's), carrying `error` so the task fails with it.
    ///
    ///     do { try await charge(card) } catch { try context.retry(countdown: 60, error: error) }
    public func retry(countdown: Double? = nil, eta: Date? = nil, error: (any Error)? = nil,
                      maxRetries: Int? = nil) throws -> Never {
        let cause = error.map { CeleryError(swiftError: $0) }
        // Celery's Task.max_retries defaults to 3 when nothing else says otherwise.
        let limit = maxRetries.map(RetryLimit.limited) ?? options.maxRetries ?? .limited(3)
        if let maximum = limit.maximum, limit.isExceeded(by: retries + 1) {
            throw MaxRetriesExceeded(taskName: name, taskID: id, maxRetries: maximum, args: args, kwargs: kwargs,
                                     error: cause)
        }
        var delay = countdown
        if delay == nil, eta == nil { delay = options.defaultRetryDelay ?? 180 }
        throw TaskRetry(countdown: delay, eta: eta, error: cause, maxRetries: maxRetries)
    }

    /// Rejects the message (Celery's `Reject`); always throws `TaskReject`.
    public func reject(requeue: Bool = false, reason: (any Error)? = nil) throws -> Never {
        throw TaskReject(requeue: requeue, reason: reason.map { CeleryError(swiftError: $0) })
    }

    /// Ends the task without recording a state (Celery's `Ignore`); always throws `TaskIgnore`.
    public func ignore() throws -> Never {
        throw TaskIgnore()
    }

    /// Records a custom state for this task, e.g. `updateState("PROGRESS", meta: ["done": 3])`
    /// (Celery's `update_state`). Callers polling the result see it until the task finishes.
    public func updateState(_ state: TaskState, meta: JSONValue = .null) async throws {
        try await reporter.report(taskID: id, state: state, meta: meta)
    }

    /// `updateState` with any `Encodable` meta.
    public func updateState<Meta: Encodable>(_ state: TaskState, meta: Meta) async throws {
        try await reporter.report(taskID: id, state: state, meta: JSONValue(encoding: meta))
    }
}
