import Celeriac

/// The cluster as the events tell it: tasks and workers, merged as Celery's
/// `celery.events.state.State` does, and bounded so a dashboard left running for weeks keeps
/// flat memory — past `maximumTasks`, the oldest finished tasks go first.
public struct ClusterState: Sendable {
    public private(set) var tasks: [String: TaskRecord] = [:]
    public private(set) var workers: [String: WorkerRecord] = [:]
    /// Tasks per state, kept as events arrive (no rescans).
    public private(set) var countsByState: [TaskState: Int] = [:]
    public private(set) var eventCount = 0
    /// Transitions per state per second, for rates and sparklines.
    public private(set) var rates = StateRates()
    /// Finished, failed and runtime percentiles per task name.
    public private(set) var statsByName: [String: TaskNameStats] = [:]
    public let maximumTasks: Int
    /// Arrival order of task ids, oldest first, for eviction.
    private var arrivals: [String] = []
    private var arrivalsHead = 0

    public init(maximumTasks: Int = 100_000) {
        self.maximumTasks = max(1, maximumTasks)
    }

    /// Applies one event; events that are neither task-* nor worker-* are counted and ignored.
    public mutating func apply(_ event: CeleryEvent) {
        eventCount += 1
        if let worker = event.worker, event.isWorkerEvent, let hostname = event.hostname {
            workers[hostname, default: WorkerRecord(hostname: hostname)].apply(event, fields: worker)
        } else if let task = event.task {
            applyTask(event, fields: task)
        }
    }

    private mutating func applyTask(_ event: CeleryEvent, fields: TaskEventFields) {
        if let hostname = event.hostname, event.kind != .taskSent, workers[hostname] == nil {
            workers[hostname] = WorkerRecord(hostname: hostname)
        }
        var record = tasks[fields.uuid] ?? {
            arrivals.append(fields.uuid)
            return TaskRecord(id: fields.uuid)
        }()
        let before = tasks[fields.uuid]?.state
        record.apply(event, fields: fields)
        if before != record.state {
            if let before { countsByState[before, default: 1] -= 1 }
            countsByState[record.state, default: 0] += 1
            if let timestamp = event.timestamp { rates.record(record.state, at: timestamp) }
            if let name = record.name { statsByName[name, default: TaskNameStats()].record(record.state, runtime: record.runtime) }
        }
        tasks[fields.uuid] = record
        evictIfNeeded()
    }

    /// Drops tasks past the bound: the oldest ready ones first; an unfinished one is moved to
    /// the back once, and only dropped when nothing finished is left to drop.
    private mutating func evictIfNeeded() {
        var skipped = 0
        while tasks.count > maximumTasks, arrivalsHead < arrivals.count {
            let id = arrivals[arrivalsHead]
            arrivalsHead += 1
            guard let record = tasks[id] else { continue }
            if !record.state.isReady, skipped < tasks.count {
                arrivals.append(id)
                skipped += 1
                continue
            }
            tasks[id] = nil
            countsByState[record.state, default: 1] -= 1
        }
        if arrivalsHead > 4096, arrivalsHead * 2 > arrivals.count {
            arrivals.removeFirst(arrivalsHead)
            arrivalsHead = 0
        }
    }

    /// Workers alive at `now` (epoch seconds).
    public func aliveWorkers(at now: Double) -> [WorkerRecord] {
        workers.values.filter { $0.isAlive(at: now) }.sorted { $0.hostname < $1.hostname }
    }
}
