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
    /// Failures grouped by exception type and task name, for the Overview.
    public private(set) var failureGroups: [FailureGroup.Key: FailureGroup] = [:]
    /// Child task ids by parent id, for the task detail.
    public private(set) var childrenByParent: [String: [String]] = [:]
    /// Bumped on every change, so a view redraws only when something happened.
    public private(set) var version = 0
    public let maximumTasks: Int
    /// The next arrival number: tasks list newest first by it.
    private var nextSequence = 0
    /// Arrival order of task ids, oldest first, for eviction.
    private var arrivals: [String] = []
    private var arrivalsHead = 0

    public init(maximumTasks: Int = 100_000) {
        self.maximumTasks = max(1, maximumTasks)
    }

    /// Applies one event; events that are neither task-* nor worker-* are counted and ignored.
    public mutating func apply(_ event: CeleryEvent) {
        eventCount += 1
        version &+= 1
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
        let id = fields.uuid
        let isNew = tasks[id] == nil
        if isNew { tasks[id] = newRecord(id) }
        let stateBefore = isNew ? nil : tasks[id]!.state
        let parentBefore = tasks[id]!.parentID
        tasks[id]!.apply(event, fields: fields)  // in place: a TaskRecord is large, copies cost
        recordChange(of: id, from: stateBefore, parentBefore: parentBefore, at: event.timestamp)
        evictIfNeeded()
    }

    private mutating func newRecord(_ id: String) -> TaskRecord {
        arrivals.append(id)
        nextSequence += 1
        return TaskRecord(id: id, sequence: nextSequence)
    }

    /// Updates every figure derived from the change of task `id` (already stored).
    private mutating func recordChange(of id: String, from before: TaskState?, parentBefore: String?, at timestamp: Double?) {
        guard let record = tasks[id] else { return }
        if before != record.state {
            if let before { countsByState[before, default: 1] -= 1 }
            countsByState[record.state, default: 0] += 1
            if let timestamp { rates.record(record.state, at: timestamp) }
            if let name = record.name { statsByName[name, default: TaskNameStats()].record(record.state, runtime: record.runtime) }
            if record.state == .failure { failureGroups[FailureGroup.Key(record), default: FailureGroup()].add(record) }
        }
        if parentBefore == nil, let parent = record.parentID, parent != record.id {
            childrenByParent[parent, default: []].append(record.id)
        }
    }

    /// A custom state read from a result backend, merged as a task-progress event would be.
    public mutating func applyStoredState(_ state: TaskState, meta: JSONValue, to id: String) {
        guard let current = tasks[id], current.state != state || current.meta != meta else { return }
        var fields: [String: JSONValue] = ["uuid": .string(id), "state": .string(state.rawValue), "meta": meta]
        fields["hostname"] = current.worker.map(JSONValue.string)
        guard let event = try? CeleryEvent(fields: fields.merging(["type": "task-progress"]) { a, _ in a }) else { return }
        apply(event)
    }

    /// Restores tasks and workers saved by `snapshot()`; figures are rebuilt from them.
    public mutating func restore(tasks saved: [TaskRecord], workers savedWorkers: [WorkerRecord]) {
        for worker in savedWorkers where workers[worker.hostname] == nil { workers[worker.hostname] = worker }
        for var record in saved.sorted(by: { $0.sequence < $1.sequence }) where tasks[record.id] == nil {
            arrivals.append(record.id)
            nextSequence += 1
            record.sequence = nextSequence
            tasks[record.id] = record
            recordChange(of: record.id, from: nil, parentBefore: nil, at: nil)
        }
        evictIfNeeded()
        version &+= 1
    }

    /// Forgets workers offline (or silent) for longer than `age` seconds at `now`.
    public mutating func purgeWorkers(offlineLongerThan age: Double, now: Double) {
        let gone = workers.values.filter { !$0.isAlive(at: now) && now - ($0.lastHeartbeat ?? 0) > age }
        guard !gone.isEmpty else { return }
        for worker in gone { workers[worker.hostname] = nil }
        version &+= 1
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
            forget(record)
        }
        if arrivalsHead > 4096, arrivalsHead * 2 > arrivals.count {
            arrivals.removeFirst(arrivalsHead)
            arrivalsHead = 0
        }
    }

    private mutating func forget(_ record: TaskRecord) {
        tasks[record.id] = nil
        countsByState[record.state, default: 1] -= 1
        childrenByParent[record.id] = nil
        if let parent = record.parentID, var siblings = childrenByParent[parent] {
            siblings.removeAll { $0 == record.id }
            childrenByParent[parent] = siblings.isEmpty ? nil : siblings
        }
    }

    /// Workers alive at `now` (epoch seconds).
    public func aliveWorkers(at now: Double) -> [WorkerRecord] {
        workers.values.filter { $0.isAlive(at: now) }.sorted { $0.hostname < $1.hostname }
    }
}
