/// The answer to `stats` (`WorkController.stats()` plus the consumer's info): who the worker
/// is, its pool, and what it has run. Everything else stays in `raw`.
public struct WorkerStats: Sendable, Hashable {
    /// The main process id.
    public var pid: Int
    /// The worker's logical clock. Celery reports it as a string ("84"); read either way.
    public var clock: Int?
    /// Seconds since the worker started.
    public var uptime: Double?
    public var pool: PoolStats?
    /// Present only for a worker started with `--autoscale`.
    public var autoscaler: AutoscalerStats?
    public var prefetchCount: Int?
    /// Tasks accepted since start-up, by task name (`total`).
    public var totalByTask: [String: Int]
    public var broker: BrokerStats?
    /// getrusage(2) figures by field name (`utime`, `maxrss`, …).
    public var rusage: [String: Double]
    public var raw: JSONValue

    public init(reply: JSONValue) throws(PidboxError) {
        try reply.checkedReply()
        guard reply.objectValue != nil, let pid = reply["pid"]?.intValue else {
            throw .unexpectedReply(method: "stats", value: reply.pidboxPreview, expected: "an object with the worker's 'pid'")
        }
        self.pid = pid
        clock = reply["clock"].flatMap(PidboxRequest.clockValue)
        uptime = reply["uptime"]?.doubleValue
        pool = reply.pidboxField("pool").map(PoolStats.init(json:))
        autoscaler = reply.pidboxField("autoscaler").flatMap(AutoscalerStats.init(json:))
        prefetchCount = reply["prefetch_count"]?.intValue
        totalByTask = (reply["total"]?.objectValue ?? [:]).compactMapValues(\.intValue)
        broker = reply.pidboxField("broker").map(BrokerStats.init(json:))
        rusage = (reply["rusage"]?.objectValue ?? [:]).compactMapValues(\.doubleValue)
        raw = reply
    }
}

/// The `pool` section of `stats`.
public struct PoolStats: Sendable, Hashable {
    /// e.g. "celery.concurrency.prefork:TaskPool".
    public var implementation: String?
    public var maxConcurrency: Int?
    /// Child process ids (thread ids for the threads pool).
    public var processes: [Int]
    /// nil when unlimited (Celery sends "N/A").
    public var maxTasksPerChild: Int?
    public var raw: JSONValue

    public init(json: JSONValue) {
        implementation = json["implementation"]?.stringValue
        maxConcurrency = json["max-concurrency"]?.intValue
        processes = (json["processes"]?.arrayValue ?? []).compactMap(\.intValue)
        maxTasksPerChild = json["max-tasks-per-child"]?.intValue
        raw = json
    }
}

/// The `autoscaler` section of `stats`: process counts now, at most, at least, and queued.
public struct AutoscalerStats: Sendable, Hashable {
    public var current: Int
    public var max: Int
    public var min: Int
    /// Tasks waiting for a process.
    public var qty: Int

    public init(current: Int, max: Int, min: Int, qty: Int) {
        self.current = current
        self.max = max
        self.min = min
        self.qty = qty
    }

    /// nil unless all four counts are present.
    public init?(json: JSONValue) {
        guard let current = json["current"]?.intValue, let max = json["max"]?.intValue,
              let min = json["min"]?.intValue, let qty = json["qty"]?.intValue else { return nil }
        self.init(current: current, max: max, min: min, qty: qty)
    }
}

/// The `broker` section of `stats`: the connection the worker uses (password never included).
public struct BrokerStats: Sendable, Hashable {
    public var hostname: String?
    public var port: Int?
    /// e.g. "amqp", "redis".
    public var transport: String?
    public var virtualHost: String?
    public var userID: String?
    public var heartbeat: Double?
    public var ssl: Bool?
    public var raw: JSONValue

    public init(json: JSONValue) {
        hostname = json["hostname"]?.stringValue
        port = json["port"]?.intValue
        transport = json["transport"]?.stringValue
        virtualHost = json["virtual_host"]?.stringValue
        userID = json["userid"]?.stringValue
        heartbeat = json["heartbeat"]?.doubleValue
        ssl = json["ssl"]?.boolValue
        raw = json
    }
}
