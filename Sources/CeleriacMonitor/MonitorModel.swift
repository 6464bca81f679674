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
    /// When the queue figures were last read (seconds since 1970); nil before the first read.
    public internal(set) var queuesReadAt: Double?
    public internal(set) var eventLog = EventLog()
    /// The latest message for the status line (action results, poll errors).
    public internal(set) var status: StatusMessage?
    /// Why custom-state meta cannot be read, when it cannot (e.g. rpc:// results).
    public internal(set) var resultBackendNote: String?
    /// What the Tasks screen asked for, and the ids that answer it.
    public internal(set) var taskQuery = TaskQuery()
    public internal(set) var taskIndex = TaskIndex()
    /// The `celeriac beat`s heard from, by hostname and schedule file.
    public internal(set) var beats: [String: BeatRecord] = [:]
    /// What stored results said of tasks' groups, parents and children (`StoredLinks`).
    public internal(set) var storedLinks: [String: StoredLinks] = [:]
    /// Bumped on every change outside `cluster`, which has a version of its own.
    public internal(set) var version = 0

    /// Where the queue figures come from, and — once no read has succeeded for three poll
    /// periods (a node cut off, an API that hangs) — how old they are, so figures that no
    /// longer hold are not taken for current ones.
    public func queueSourceLabel(now: Double) -> String {
        guard let readAt = queuesReadAt, now - readAt >= Self.staleQueueFigures else { return queueSource }
        return "\(queueSource) · last read \(Int(now - readAt)) s ago"
    }

    /// Three of the poller's default 5 s periods.
    static let staleQueueFigures = 15.0

    public init(maximumTasks: Int = 100_000) {
        cluster = ClusterState(maximumTasks: maximumTasks)
    }

    /// Changes whenever anything shown changed.
    public var changeCount: Int { version &+ cluster.version }

    mutating func apply(_ event: CeleryEvent) {
        cluster.apply(event)
        eventLog.add(event)
        if event.group == "beat" { applyBeatEvent(event) }
    }

    /// Decodes `body` (one message from the event exchange) and merges its events; when an
    /// entry is not an event, the ones before it are merged and the error names it.
    mutating func apply(message body: UnsafeRawBufferPointer, routingKey: String,
                        decoder: inout EventStreamDecoder) throws(CeleryEventError) {
        let (events, failure) = DecodedEvents.decoding(body, routingKey: routingKey, with: &decoder)
        apply(events)
        if let failure { throw failure }
    }

    /// Merges decoded events in order; `observe` sees each task event with the task it touched.
    mutating func apply(_ events: DecodedEvents, observe: ((TaskEventUpdate, TaskRecord?) -> Void)? = nil) {
        events.bytes.withUnsafeBytes { bytes in
            for item in events.items {
                switch item {
                case .task(let update, let id, let json):
                    if let id {
                        cluster.apply(update, idUTF8: UnsafeRawBufferPointer(rebasing: bytes[id]))
                    } else {
                        cluster.apply(update)
                    }
                    eventLog.add(json: UnsafeRawBufferPointer(rebasing: bytes[json]))
                    guard let observe else { continue }
                    var update = update
                    if let id { update.uuid = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[id]), as: UTF8.self) }
                    observe(update, cluster.tasks[update.uuid])
                case .other(let event):
                    apply(event)
                    if let observe, let update = TaskEventUpdate(event) { observe(update, cluster.tasks[update.uuid]) }
                }
            }
        }
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
