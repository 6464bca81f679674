import Foundation

/// Everything an app needs to know, with Celery's defaults and Celery's setting names.
/// Values come from code, then `celeriac.toml`, then the environment, then command-line
/// flags — each later source wins (see `CeleriacConfiguration+Loading.swift`).
public struct CeleriacConfiguration: Sendable, Hashable {
    /// One URL or a `;`-separated failover list (`broker_url` may also be a list in the file).
    public var brokerURL = "amqp://guest:guest@localhost:5672//"
    /// `task_default_queue_type`: the type of the task queues client and worker declare.
    public var defaultQueueType = QueueType.classic
    /// The order a failover list is tried in.
    public var brokerFailoverStrategy = BrokerFailover.Strategy.roundRobin
    /// `broker_heartbeat`: seconds between AMQP heartbeats; a broker silent for two is
    /// declared dead, which is how a node cut off by a partition (no RST ever comes) is
    /// noticed. 0 turns them off. A URL's own `?heartbeat=` wins.
    public var brokerHeartbeat = 60
    /// `broker_connection_timeout`: seconds to reach a broker (TCP, TLS and the AMQP
    /// handshake) before the next of a failover list is tried. A URL's `?connect_timeout=` wins.
    public var brokerConnectionTimeout = Self.defaultBrokerConnectionTimeout
    static let defaultBrokerConnectionTimeout = 10.0
    /// `broker_connection_retry`: whether a worker keeps trying to reach its broker.
    public var brokerConnectionRetry = true
    /// `broker_connection_retry_on_startup`: whether a worker that cannot reach any broker
    /// when it starts keeps trying; unset, `broker_connection_retry` decides, as in Celery.
    public var brokerConnectionRetryOnStartup: Bool?
    /// `broker_connection_max_retries`: attempts before a worker gives up; nil or 0 for ever.
    public var brokerConnectionMaxRetries: Int? = 100

    /// `task_publish_retry`: a publish whose connection is lost before the broker confirmed
    /// it is tried again on a new connection, with Celery's default retry policy.
    public var taskPublishRetry = true

    /// How many times a starting worker tries to reach its broker: 1 without retries, nil
    /// for ever.
    public var brokerConnectionAttemptsOnStartup: Int? {
        guard brokerConnectionRetryOnStartup ?? brokerConnectionRetry else { return 1 }
        guard let retries = brokerConnectionMaxRetries, retries > 0 else { return nil }
        return retries + 1
    }
    /// nil: results are not stored (Celery's DisabledBackend).
    public var resultBackend: String?
    public var defaultQueue = "celery"
    /// `task_default_exchange`; unset, the default queue's name, as Celery takes it.
    public var defaultExchange: String {
        get { explicitDefaultExchange ?? defaultQueue }
        set { explicitDefaultExchange = newValue }
    }
    private var explicitDefaultExchange: String?
    public var defaultExchangeType = "direct"
    /// `task_default_routing_key`; unset, the default queue's name, as Celery takes it.
    public var defaultRoutingKey: String {
        get { explicitDefaultRoutingKey ?? defaultQueue }
        set { explicitDefaultRoutingKey = newValue }
    }
    private var explicitDefaultRoutingKey: String?
    /// `task_create_missing_queue_type`: the type of every task queue but the default one
    /// (a `-Q` queue, a routed one), which Celery declares classic unless told.
    public var missingQueueType = QueueType.classic
    /// `task_create_missing_queue_exchange_type`: the type of such a queue's own exchange;
    /// nil, direct (kombu's default).
    public var missingQueueExchangeType: String?
    /// The priority a task gets when the call names none; nil sends none.
    public var defaultPriority: Int?
    /// `x-max-priority` of queues we declare; must match what workers declare, or RabbitMQ refuses.
    public var queueMaxPriority: Int?
    public var routes: [TaskRoute] = []
    /// An IANA name; Celery's default is UTC.
    public var timezoneName = "UTC"
    public var timezone: TimeZone {
        // Linux Foundation calls UTC "GMT"; the name we keep is the one the user wrote.
        timezoneName == "UTC" ? TimeZone(secondsFromGMT: 0)! : TimeZone(identifier: timezoneName) ?? TimeZone(secondsFromGMT: 0)!
    }
    public var prefetchMultiplier = 4
    public var acksLate = false
    /// With acks_late: a task whose pool process died goes back to the queue instead of failing.
    public var rejectOnWorkerLost = false
    /// How long stored results live; nil keeps them for ever.
    public var resultExpires: Double? = 86_400
    /// Store name, args, kwargs, worker, retries and queue with each result.
    public var resultExtended = false
    public var sendSentEvent = false
    /// Celery's `beat_schedule`: entry name → its table, read by CeleriacBeat.
    public var beatSchedule: [String: JSONValue] = [:]
    /// Celery's `beat_max_loop_interval`: the longest beat sleeps; nil is 300 s.
    public var beatMaxLoopInterval: Double?
    /// `beat_catch_up` (ours): what beat entries that set no `catch_up` do about runs missed
    /// while no beat could send them — "once" (nil: Celery's behaviour), "skip" or "replay N";
    /// read and checked by CeleriacBeat. `celeriac beat --catch-up` wins.
    public var beatCatchUp: String?
    public var taskDefaults = TaskDefaults()

    public init() {}

    /// Limits and retry policy every task starts from; each task may override them.
    public struct TaskDefaults: Sendable, Hashable {
        public var softTimeLimit: Double?
        public var timeLimit: Double?
        /// Celery's rate-limit string, e.g. "10/s", "100/m", "1000/h".
        public var rateLimit: String?
        public var maxRetries: Int? = 3
        public var retryDelay: Double = 180

        public init() {}
    }
}

/// Where tasks matching a name or glob go.
public struct TaskRoute: Sendable, Hashable {
    /// A task name, or a glob such as "reports.*".
    public var pattern: String
    public var queue: String?
    public var exchange: String?
    public var routingKey: String?
    public var priority: Int?

    public init(pattern: String, queue: String? = nil, exchange: String? = nil, routingKey: String? = nil,
                priority: Int? = nil) {
        self.pattern = pattern
        self.queue = queue
        self.exchange = exchange
        self.routingKey = routingKey
        self.priority = priority
    }

    public func matches(_ taskName: String) -> Bool {
        Glob.matches(pattern: pattern, name: taskName)
    }
}

/// Shell-style globbing (`*`, `?`), as Celery's glob routes use fnmatch.
enum Glob {
    static func matches(pattern: String, name: String) -> Bool {
        matches(Array(pattern.unicodeScalars)[...], Array(name.unicodeScalars)[...])
    }

    private static func matches(_ pattern: ArraySlice<Unicode.Scalar>, _ name: ArraySlice<Unicode.Scalar>) -> Bool {
        guard let first = pattern.first else { return name.isEmpty }
        switch first {
        case "*":
            var rest = name
            while true {
                if matches(pattern.dropFirst(), rest) { return true }
                guard !rest.isEmpty else { return false }
                rest = rest.dropFirst()
            }
        case "?":
            return !name.isEmpty && matches(pattern.dropFirst(), name.dropFirst())
        default:
            return name.first == first && matches(pattern.dropFirst(), name.dropFirst())
        }
    }
}
