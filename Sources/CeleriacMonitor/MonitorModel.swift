import Celeriac

/// Everything the dashboard shows, in one value: the cluster state from events plus what
/// polling and actions learned. Guarded by `MonitorStore`.
public struct MonitorModel: Sendable {
    public internal(set) var cluster: ClusterState
    public internal(set) var connection: ConnectionStatus = .connecting
    /// Pool facts per worker hostname, from `stats` and `active_queues`.
    public internal(set) var pools: [String: WorkerPool] = [:]
    /// Queue figures by queue name.
    public internal(set) var queues: [String: QueueFigures] = [:]
    /// Where queue figures come from, or why they are missing.
    public internal(set) var queueSource = "waiting for the workers' queues"
    public internal(set) var eventLog = EventLog()
    /// The latest message for the status line (action results, poll errors).
    public internal(set) var status: StatusMessage?
    /// Why custom-state meta cannot be read, when it cannot (e.g. rpc:// results).
    public internal(set) var resultBackendNote: String?
    /// What the Tasks screen asked for, and the ids that answer it.
    public internal(set) var taskQuery = TaskQuery()
    public internal(set) var taskIndex = TaskIndex()
    /// Bumped on every change outside `cluster`, which has a version of its own.
    public internal(set) var version = 0

    public init(maximumTasks: Int = 100_000) {
        cluster = ClusterState(maximumTasks: maximumTasks)
    }

    /// Changes whenever anything shown changed.
    public var changeCount: Int { version &+ cluster.version }

    mutating func apply(_ event: CeleryEvent) {
        cluster.apply(event)
        eventLog.add(event)
    }

    /// Decodes `body` (one message from the event exchange) and merges its events as they
    /// are read; see `EventStreamDecoder.decode` for a message that is not all events.
    mutating func apply(message body: UnsafeRawBufferPointer, routingKey: String,
                        decoder: inout EventStreamDecoder,
                        observe: ((TaskEventUpdate, TaskRecord?) -> Void)? = nil) throws(CeleryEventError) {
        try decoder.decode(body, routingKey: routingKey, task: { update, json, idUTF8 in
            if let idUTF8 { cluster.apply(update, idUTF8: idUTF8) } else { cluster.apply(update) }
            eventLog.add(json: json)
            guard let observe else { return }
            var update = update
            if let idUTF8 { update.uuid = String(decoding: idUTF8, as: UTF8.self) }
            observe(update, cluster.tasks[update.uuid])
        }, other: { event in
            apply(event)
            if let observe, let update = TaskEventUpdate(event) { observe(update, cluster.tasks[update.uuid]) }
        })
    }

    mutating func changed() { version &+= 1 }

    /// Rows `offset..<offset+limit` of the current task list, and how many there are.
    public func taskPage(offset: Int, limit: Int) -> (rows: [TaskRecord], total: Int) {
        let ids = taskIndex.ids
        guard offset < ids.count, limit > 0 else { return ([], ids.count) }
        let rows = ids[max(0, offset)..<min(ids.count, max(0, offset) + limit)].compactMap { cluster.tasks[$0] }
        return (rows, ids.count)
    }

    /// Workers consuming `queue`, by the latest `active_queues` replies.
    public func consumers(of queue: String) -> [String] {
        pools.filter { $0.value.queues.contains(queue) }.map(\.key).sorted()
    }
}

/// One line for the status bar.
public struct StatusMessage: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case info, success, warning, error }
    public var kind: Kind
    public var text: String
    public var at: Double

    public init(_ kind: Kind, _ text: String, at: Double) {
        self.kind = kind
        self.text = text
        self.at = at
    }
}
