/// CeleriacMonitor: the dashboard's brain — the cluster state built from events, the figures
/// derived from it, and the clients that act on the cluster. It has no terminal code, so it is
/// tested without one; CeleriacTUI only draws it.
import Celeriac

/// What the monitor knows of one task, merged from its events as Celery's
/// `celery.events.state.Task` merges them. A dashboard may hold a million of these, so the
/// fields most tasks never set live out of line in `details`, shared until written.
public struct TaskRecord: Sendable, Hashable {
    public let id: String
    /// Arrival number in this monitor: higher is newer.
    public internal(set) var sequence: Int
    public internal(set) var name: String?
    public internal(set) var state: TaskState = .pending
    /// When the current state's event happened (the sender's clock).
    public internal(set) var timestamp: Double?
    public internal(set) var args: String?
    public internal(set) var kwargs: String?
    public internal(set) var result: String?
    public internal(set) var runtime: Double?
    public internal(set) var retries: Int?
    /// The worker that received it.
    public internal(set) var worker: String?
    /// When each kind of event happened: sent, received, started, succeeded, failed, …
    public internal(set) var timeline: [Milestone] = []
    private var details: CopyOnWrite<Details>?
    /// Celery sends root_id = the task's own id for a top-level call: kept as a flag, not a copy.
    private var rootIsSelf = false

    /// The fields few tasks set: failures, ETAs, workflows, routing from task-sent, custom meta.
    struct Details: Sendable, Hashable {
        var exception: String?
        var traceback: String?
        var eta: String?
        var expires: String?
        var rootID: String?
        var parentID: String?
        var queue: String?
        var exchange: String?
        var routingKey: String?
        var meta: JSONValue?
    }

    public struct Milestone: Sendable, Hashable, Codable {
        public var type: String
        public var timestamp: Double?
    }

    init(id: String, sequence: Int) {
        self.id = id
        self.sequence = sequence
    }

    public internal(set) var exception: String? {
        get { details?.value.exception }
        set { setDetail(\.exception, newValue) }
    }
    public internal(set) var traceback: String? {
        get { details?.value.traceback }
        set { setDetail(\.traceback, newValue) }
    }
    public internal(set) var eta: String? {
        get { details?.value.eta }
        set { setDetail(\.eta, newValue) }
    }
    public internal(set) var expires: String? {
        get { details?.value.expires }
        set { setDetail(\.expires, newValue) }
    }
    public internal(set) var rootID: String? {
        get { rootIsSelf ? id : details?.value.rootID }
        set {
            rootIsSelf = newValue == id
            setDetail(\.rootID, rootIsSelf ? nil : newValue)
        }
    }
    public internal(set) var parentID: String? {
        get { details?.value.parentID }
        set { setDetail(\.parentID, newValue) }
    }
    /// Routing, known from a task-sent event.
    public internal(set) var queue: String? {
        get { details?.value.queue }
        set { setDetail(\.queue, newValue) }
    }
    public internal(set) var exchange: String? {
        get { details?.value.exchange }
        set { setDetail(\.exchange, newValue) }
    }
    public internal(set) var routingKey: String? {
        get { details?.value.routingKey }
        set { setDetail(\.routingKey, newValue) }
    }
    /// A custom state's meta (Celeriac's task-progress event).
    public internal(set) var meta: JSONValue? {
        get { details?.value.meta }
        set { setDetail(\.meta, newValue) }
    }

    /// Writes one detail (see `Optional.setField`).
    @inline(__always)
    private mutating func setDetail<T>(_ field: WritableKeyPath<Details, T?>, _ value: T?) {
        details.setField(field, value, empty: Details())
    }

    /// The exception's type: "ValueError" of "ValueError('boom')".
    public var exceptionType: String? {
        guard let exception, !exception.isEmpty else { return nil }
        return String(exception.prefix { $0 != "(" && $0 != ":" })
    }

    /// Celery's merge rule: an event whose state logically happens before the current one
    /// (by precedence, RETRY aside) only fills in the fields that state owns; any other event
    /// moves the task to its state and takes all its fields. So a task never moves back from
    /// SUCCESS, FAILURE or REVOKED, duplicates change nothing, and earlier fields are kept.
    mutating func apply(_ event: TaskEventUpdate) {
        let eventState = event.taskState
        if timeline.isEmpty { timeline.reserveCapacity(4) }  // sent/received, started, finished: one allocation
        timeline.append(Milestone(type: event.type, timestamp: event.timestamp))
        let logicallyEarlier = eventState != .retry && state != .retry
            && eventState.precedence > state.precedence
        if logicallyEarlier {
            if eventState == .received || eventState == .pending { takeCallFields(event) }
            if worker == nil, eventState == .received { worker = event.hostname }
            return
        }
        state = eventState
        timestamp = event.timestamp
        takeCallFields(event)
        if eventState != .pending, let hostname = event.hostname { worker = hostname }
        if let value = event.result { result = value }
        if let value = event.runtime { runtime = value }
        if let value = event.exception { exception = value }
        if let value = event.traceback { traceback = value }
        if let value = event.queue { queue = value }
        if let value = event.exchange { exchange = value }
        if let value = event.routingKey { routingKey = value }
        if event.isProgress { meta = event.meta }
    }

    /// name, args, kwargs, retries, eta, expires, root and parent: what RECEIVED owns in
    /// Celery's merge rules (task-sent carries the same, for tasks no worker took yet).
    private mutating func takeCallFields(_ event: TaskEventUpdate) {
        if let value = event.name { name = value }
        if let value = event.args { args = value }
        if let value = event.kwargs { kwargs = value }
        if let value = event.retries { retries = value }
        if let value = event.eta { eta = value }
        if let value = event.expires { expires = value }
        if let value = event.rootID { rootID = value }
        if let value = event.parentID { parentID = value }
    }
}

// The snapshot format (StateFile) lists every field by name, details or not.
extension TaskRecord: Codable {
    private enum CodingKeys: String, CodingKey {
        case id, sequence, name, state, timestamp, args, kwargs, result, exception, traceback, runtime, retries
        case eta, expires, rootID, parentID, worker, queue, exchange, routingKey, meta, timeline
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(id: try container.decode(String.self, forKey: .id), sequence: try container.decode(Int.self, forKey: .sequence))
        name = try container.decodeIfPresent(String.self, forKey: .name)
        state = try container.decodeIfPresent(TaskState.self, forKey: .state) ?? .pending
        timestamp = try container.decodeIfPresent(Double.self, forKey: .timestamp)
        args = try container.decodeIfPresent(String.self, forKey: .args)
        kwargs = try container.decodeIfPresent(String.self, forKey: .kwargs)
        result = try container.decodeIfPresent(String.self, forKey: .result)
        exception = try container.decodeIfPresent(String.self, forKey: .exception)
        traceback = try container.decodeIfPresent(String.self, forKey: .traceback)
        runtime = try container.decodeIfPresent(Double.self, forKey: .runtime)
        retries = try container.decodeIfPresent(Int.self, forKey: .retries)
        eta = try container.decodeIfPresent(String.self, forKey: .eta)
        expires = try container.decodeIfPresent(String.self, forKey: .expires)
        rootID = try container.decodeIfPresent(String.self, forKey: .rootID)
        parentID = try container.decodeIfPresent(String.self, forKey: .parentID)
        worker = try container.decodeIfPresent(String.self, forKey: .worker)
        queue = try container.decodeIfPresent(String.self, forKey: .queue)
        exchange = try container.decodeIfPresent(String.self, forKey: .exchange)
        routingKey = try container.decodeIfPresent(String.self, forKey: .routingKey)
        meta = try container.decodeIfPresent(JSONValue.self, forKey: .meta)
        timeline = try container.decodeIfPresent([Milestone].self, forKey: .timeline) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(id, forKey: .id)
        try container.encode(sequence, forKey: .sequence)
        try container.encodeIfPresent(name, forKey: .name)
        try container.encode(state, forKey: .state)
        try container.encodeIfPresent(timestamp, forKey: .timestamp)
        try container.encodeIfPresent(args, forKey: .args)
        try container.encodeIfPresent(kwargs, forKey: .kwargs)
        try container.encodeIfPresent(result, forKey: .result)
        try container.encodeIfPresent(exception, forKey: .exception)
        try container.encodeIfPresent(traceback, forKey: .traceback)
        try container.encodeIfPresent(runtime, forKey: .runtime)
        try container.encodeIfPresent(retries, forKey: .retries)
        try container.encodeIfPresent(eta, forKey: .eta)
        try container.encodeIfPresent(expires, forKey: .expires)
        try container.encodeIfPresent(rootID, forKey: .rootID)
        try container.encodeIfPresent(parentID, forKey: .parentID)
        try container.encodeIfPresent(worker, forKey: .worker)
        try container.encodeIfPresent(queue, forKey: .queue)
        try container.encodeIfPresent(exchange, forKey: .exchange)
        try container.encodeIfPresent(routingKey, forKey: .routingKey)
        try container.encodeIfPresent(meta, forKey: .meta)
        try container.encode(timeline, forKey: .timeline)
    }
}
