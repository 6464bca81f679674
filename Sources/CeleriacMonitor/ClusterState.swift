import Celeriac

/// The cluster as the events tell it: tasks and workers, merged as Celery's
/// `celery.events.state.State` does, and bounded so a dashboard left running for weeks keeps
/// flat memory — past `maximumTasks`, the oldest finished tasks go first.
public struct ClusterState: Sendable {
    public private(set) var tasks = TaskTable()
    public private(set) var workers: [String: WorkerRecord] = [:]
    /// Tasks per state, kept as events arrive (no rescans).
    public private(set) var stateCounts = StateCounts()
    public var countsByState: [TaskState: Int] { stateCounts.dictionary }
    public private(set) var eventCount = 0
    /// Transitions per state per second, for rates and sparklines.
    public private(set) var rates = StateRates()
    /// Finished, failed and runtime percentiles per task name.
    public var statsByName: [String: TaskNameStats] { nameSlots.mapValues { nameStats[$0] } }
    private var nameStats: [TaskNameStats] = []
    private var nameSlots: [String: Int] = [:]
    private var recentNames = RecentStrings()
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
    /// Workers that sent task events lately, known to be in `workers`.
    private var recentSenders = RecentStrings()

    /// Up to `count` tasks that arrived just before and after `id` (a workflow's tasks are
    /// sent together), `id` included.
    public func arrivedAround(_ id: String, count: Int) -> [String] {
        guard let position = arrivals[arrivalsHead...].lastIndex(of: id) else { return [] }
        return Array(arrivals[max(arrivalsHead, position - count)..<min(arrivals.count, position + count + 1)])
    }

    public init(maximumTasks: Int = 100_000) {
        self.maximumTasks = max(1, maximumTasks)
        tasks = TaskTable(reservingCapacity: self.maximumTasks + 1)  // one past the bound before eviction
    }

    /// Applies one event; events that are neither task-* nor worker-* are counted and ignored.
    public mutating func apply(_ event: CeleryEvent) {
        if let worker = event.worker, event.isWorkerEvent, let hostname = event.hostname {
            eventCount += 1
            version &+= 1
            workers[hostname, default: WorkerRecord(hostname: hostname)].apply(event, fields: worker)
        } else if let update = TaskEventUpdate(event) {
            apply(update)
        } else {
            eventCount += 1
            version &+= 1
        }
    }

    /// Applies one task event.
    public mutating func apply(_ update: TaskEventUpdate) {
        merge(update, id: nil)
    }

    /// Applies one task event whose id the decoder left as UTF-8 bytes (`update.uuid` is
    /// not set): a task already held is found without making a String of its id.
    mutating func apply(_ update: TaskEventUpdate, idUTF8: UnsafeRawBufferPointer) {
        merge(update, id: idUTF8)
    }

    private mutating func merge(_ update: TaskEventUpdate, id idUTF8: UnsafeRawBufferPointer?) {
        eventCount += 1
        version &+= 1
        if let hostname = update.hostname, !update.isSent, recentSenders.value(for: hostname) == nil {
            if workers[hostname] == nil { workers[hostname] = WorkerRecord(hostname: hostname) }
            recentSenders.remember(hostname, 0)
        }
        let sequence = nextSequence + 1
        let (position, isNew) = if let idUTF8 {
            tasks.position(ofUTF8: idUTF8) { TaskRecord(id: $0, sequence: sequence) }
        } else {
            tasks.position(of: update.uuid) { TaskRecord(id: update.uuid, sequence: sequence) }
        }
        if isNew {
            nextSequence = sequence
            arrivals.append(tasks.record(at: position).id)
        }
        let change = tasks.update(at: position) { record in
            let stateBefore = isNew ? nil : record.state
            let hadParent = record.parentID != nil
            record.apply(update)  // in place: copying a record costs a retain per field
            // A parent learned just now (nil almost always: no retain).
            return Change(before: stateBefore, after: record.state, newParent: hadParent ? nil : record.parentID)
        }
        recordChange(change, at: position, timestamp: update.timestamp)
        evictIfNeeded()
    }

    /// What one event changed in a task, read while merging it.
    private struct Change {
        var before: TaskState?
        var after: TaskState
        var newParent: String?
    }

    /// Updates every figure derived from the change of the task at `position`.
    private mutating func recordChange(_ change: Change, at position: Int, timestamp: Double?) {
        let state = change.after
        if change.before != state {
            if let before = change.before { stateCounts.add(-1, to: before) }
            stateCounts.add(1, to: state)
            if let timestamp { rates.record(state, at: timestamp) }
            // Only a finished task changes its name's figures; a new one makes sure the name is listed.
            if change.before == nil || state.isReady {
                let (name, runtime) = tasks.update(at: position) { ($0.name, $0.runtime) }
                if let name { nameStats[nameSlot(name)].record(state, runtime: runtime) }
            }
            if state == .failure {
                let record = tasks.record(at: position)
                failureGroups[FailureGroup.Key(record), default: FailureGroup()].add(record)
            }
        }
        if let parent = change.newParent {
            let id = tasks.update(at: position) { $0.id }
            if parent != id { childrenByParent[parent, default: []].append(id) }
        }
    }

    /// Where `name`'s figures are in `nameStats`, listing it if new.
    private mutating func nameSlot(_ name: String) -> Int {
        if let slot = recentNames.value(for: name) { return slot }
        let slot = nameSlots[name] ?? {
            nameStats.append(TaskNameStats())
            nameSlots[name] = nameStats.count - 1
            return nameStats.count - 1
        }()
        recentNames.remember(name, slot)
        return slot
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
        for var record in saved.sorted(by: { $0.sequence < $1.sequence }) where !tasks.contains(record.id) {
            arrivals.append(record.id)
            nextSequence += 1
            record.sequence = nextSequence
            let (position, _) = tasks.position(of: record.id) { record }
            recordChange(Change(before: nil, after: record.state, newParent: record.parentID), at: position, timestamp: nil)
        }
        evictIfNeeded()
        version &+= 1
    }

    /// Forgets workers offline (or silent) for longer than `age` seconds at `now`.
    public mutating func purgeWorkers(offlineLongerThan age: Double, now: Double) {
        let gone = workers.values.filter { !$0.isAlive(at: now) && now - ($0.lastHeartbeat ?? 0) > age }
        guard !gone.isEmpty else { return }
        for worker in gone { workers[worker.hostname] = nil }
        recentSenders.removeAll()
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
        tasks.remove(record.id)
        stateCounts.add(-1, to: record.state)
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
