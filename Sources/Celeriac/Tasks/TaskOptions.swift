/// How a task runs and is sent by default — Celery's task attributes (`queue`, `rate_limit`,
/// `autoretry_for`, `max_retries`, …). Options left nil take the app's `TaskDefaults` through
/// `resolved(with:)`; a call's own `TaskSendOptions` win over the routing values here.
public struct TaskOptions: Sendable, Hashable {
    /// The queue the task is sent to when the call names none.
    public var queue: String?
    public var routingKey: String?
    public var exchange: String?
    /// 0–255, sent as the message priority when the call names none.
    public var priority: Int?
    /// Celery's rate-limit string: "10/s", "100/m", "1000/h", or a bare number per second.
    /// Checked by `validate()`; read it with `parsedRateLimit`.
    public var rateLimit: String?
    /// Seconds before the task is asked to stop (a worker raises SoftTimeLimitExceeded in Celery).
    public var softTimeLimit: Double?
    /// Seconds before the task is killed.
    public var timeLimit: Double?
    /// Ack after the task returns instead of before it runs; nil follows the app's `acksLate`.
    public var acksLate: Bool?
    /// With acksLate: requeue the message when the worker process dies mid-task.
    public var rejectOnWorkerLost: Bool?
    /// Do not store the result, and do not ask for one when sending.
    public var ignoreResult: Bool
    /// Error types that turn into a retry: Swift type names as `String(describing: type(of: error))`
    /// writes them (a `CeleryError` also matches its Python `type`, e.g. "ValueError"), or `["*"]`.
    public var autoretryFor: [String]
    /// Exponential backoff factor for autoretries: nil (or 0) = off; 1 = Celery's `retry_backoff=True`.
    public var retryBackoff: Double?
    /// The backoff never waits longer than this many seconds (Celery's `retry_backoff_max`).
    public var retryBackoffMax: Double
    /// Full jitter: the backoff countdown becomes a random value between 0 and itself.
    public var retryJitter: Bool
    /// nil takes the app's `task_max_retries`; `.unlimited` retries for ever.
    public var maxRetries: RetryLimit?
    /// Seconds a `retry()` without countdown or eta waits; nil takes `task_default_retry_delay`.
    public var defaultRetryDelay: Double?
    /// Seconds after sending when the task is no longer worth running.
    public var expires: Double?

    public init(queue: String? = nil, routingKey: String? = nil, exchange: String? = nil, priority: Int? = nil,
                rateLimit: String? = nil, softTimeLimit: Double? = nil, timeLimit: Double? = nil,
                acksLate: Bool? = nil, rejectOnWorkerLost: Bool? = nil, ignoreResult: Bool = false,
                autoretryFor: [String] = [], retryBackoff: Double? = nil, retryBackoffMax: Double = 600,
                retryJitter: Bool = true, maxRetries: RetryLimit? = nil, defaultRetryDelay: Double? = nil,
                expires: Double? = nil) {
        self.queue = queue
        self.routingKey = routingKey
        self.exchange = exchange
        self.priority = priority
        self.rateLimit = rateLimit
        self.softTimeLimit = softTimeLimit
        self.timeLimit = timeLimit
        self.acksLate = acksLate
        self.rejectOnWorkerLost = rejectOnWorkerLost
        self.ignoreResult = ignoreResult
        self.autoretryFor = autoretryFor
        self.retryBackoff = retryBackoff
        self.retryBackoffMax = retryBackoffMax
        self.retryJitter = retryJitter
        self.maxRetries = maxRetries
        self.defaultRetryDelay = defaultRetryDelay
        self.expires = expires
    }

    /// These options with every unset limit and retry policy taken from the app's defaults.
    /// The app's `maxRetries: nil` means unlimited, so the result's `maxRetries` is never nil.
    public func resolved(with defaults: CeleriacConfiguration.TaskDefaults) -> TaskOptions {
        var copy = self
        copy.softTimeLimit = softTimeLimit ?? defaults.softTimeLimit
        copy.timeLimit = timeLimit ?? defaults.timeLimit
        copy.rateLimit = rateLimit ?? defaults.rateLimit
        copy.maxRetries = maxRetries ?? defaults.maxRetries.map(RetryLimit.limited) ?? .unlimited
        copy.defaultRetryDelay = defaultRetryDelay ?? defaults.retryDelay
        return copy
    }

    /// `resolved(with: configuration.taskDefaults)`, plus `acksLate` from `task_acks_late`.
    public func resolved(with configuration: CeleriacConfiguration) -> TaskOptions {
        var copy = resolved(with: configuration.taskDefaults)
        copy.acksLate = acksLate ?? configuration.acksLate
        return copy
    }

    /// The rate limit, parsed; nil when none is set (or it is invalid — `validate()` says so).
    public var parsedRateLimit: RateLimit? {
        rateLimit.flatMap { RateLimit($0) }
    }

    /// Refuses values a worker could not honour, so a bad option fails at registration
    /// rather than on the first message.
    public func validate() throws(TaskOptionsError) {
        if let rateLimit { _ = try RateLimit.parse(rateLimit) }
        if let priority, !(0...255).contains(priority) { throw .priorityOutOfRange(priority) }
        for (option, value) in [("soft_time_limit", softTimeLimit), ("time_limit", timeLimit), ("expires", expires),
                                ("default_retry_delay", defaultRetryDelay), ("retry_backoff", retryBackoff)] {
            if let value, !(value.isFinite && value >= 0) { throw .invalidSeconds(option: option, value: value) }
        }
        if !(retryBackoffMax.isFinite && retryBackoffMax >= 0) {
            throw .invalidSeconds(option: "retry_backoff_max", value: retryBackoffMax)
        }
        if case .limited(let count)? = maxRetries, count < 0 { throw .negativeMaxRetries(count) }
    }

    /// Whether `autoretryFor` names this error's type.
    func autoretries(_ error: any Error) -> Bool {
        guard !autoretryFor.isEmpty else { return false }
        if autoretryFor.contains("*") { return true }
        var names = [String(describing: type(of: error))]
        if let celery = error as? CeleryError { names.append(celery.type) }
        return names.contains(where: autoretryFor.contains)
    }
}

/// How often a task may be retried. Celery spells unlimited `max_retries=None`; here nil means
/// "not set", so unlimited has its own case.
public enum RetryLimit: Sendable, Hashable, ExpressibleByIntegerLiteral {
    case limited(Int)
    case unlimited

    public init(integerLiteral value: Int) { self = .limited(value) }

    /// The highest allowed retry count; nil when unlimited.
    public var maximum: Int? {
        if case .limited(let count) = self { return count }
        return nil
    }

    /// Whether a task that has been retried `retries` times may not be retried again.
    public func isExceeded(by retries: Int) -> Bool {
        maximum.map { retries > $0 } ?? false
    }
}

/// Why task options cannot be used.
public enum TaskOptionsError: Error, Sendable, Hashable, CustomStringConvertible {
    case invalidRateLimit(String)
    case priorityOutOfRange(Int)
    case invalidSeconds(option: String, value: Double)
    case negativeMaxRetries(Int)

    public var description: String {
        switch self {
        case .invalidRateLimit(let text):
            return "rate limit '\(text)' is not in Celery's form: a number of tasks, optionally followed by "
                + "/s, /m or /h (e.g. \"10/s\", \"100/m\", \"1000/h\")"
        case .priorityOutOfRange(let priority):
            return "priority \(priority) is outside AMQP's 0–255"
        case .invalidSeconds(let option, let value):
            return "\(option) must be a finite number of seconds, 0 or more; got \(value)"
        case .negativeMaxRetries(let count):
            return "max_retries must be 0 or more (or unlimited); got \(count)"
        }
    }
}
