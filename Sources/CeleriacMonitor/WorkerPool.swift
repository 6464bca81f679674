import Celeriac

/// What a worker told about its pool and queues in its latest `stats` and `active_queues`
/// replies — facts heartbeats do not carry.
public struct WorkerPool: Sendable, Hashable {
    /// "prefork", "threads", "solo", … from "celery.concurrency.prefork:TaskPool".
    public var kind: String?
    public var maxConcurrency: Int?
    public var processes: [Int] = []
    public var autoscaler: AutoscalerStats?
    public var prefetchCount: Int?
    public var queues: [String] = []
    /// When the latest reply came (epoch seconds).
    public var updatedAt: Double?

    public init() {}

    mutating func take(_ stats: WorkerStats, at now: Double) {
        kind = stats.pool?.implementation.map(Self.kind(of:))
        maxConcurrency = stats.pool?.maxConcurrency
        processes = stats.pool?.processes ?? []
        autoscaler = stats.autoscaler
        prefetchCount = stats.prefetchCount
        updatedAt = now
    }

    /// "celery.concurrency.prefork:TaskPool" → "prefork"; a name without a module stays as is.
    static func kind(of implementation: String) -> String {
        let module = implementation.split(separator: ":").first.map(String.init) ?? implementation
        return module.split(separator: ".").last.map(String.init) ?? module
    }
}
