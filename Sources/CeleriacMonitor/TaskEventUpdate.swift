import Celeriac

/// A `task-*` event as the monitor merges it: only the fields it keeps, typed. Read straight
/// from the JSON by `EventStreamDecoder` (no dictionary per event, so a dashboard keeps up
/// with a large cluster), or from a `CeleryEvent` for everything else that holds one.
public struct TaskEventUpdate: Sendable, Hashable {
    public var kind: CeleryEvent.Kind
    public var uuid: String
    public var hostname: String?
    public var timestamp: Double?
    public var name: String?
    public var args: String?
    public var kwargs: String?
    public var retries: Int?
    public var rootID: String?
    public var result: String?
    public var runtime: Double?
    /// The fields few events carry, kept out of line so that the common event is small to
    /// build, pass and drop (one nil pointer instead of ten fields).
    private var rare: CopyOnWrite<Rare>?

    private struct Rare: Sendable, Hashable {
        var eta: String?
        var expires: String?
        var parentID: String?
        var exception: String?
        var traceback: String?
        var queue: String?
        var exchange: String?
        var routingKey: String?
        var state: String?
        var meta: JSONValue?
    }

    public var eta: String? {
        get { rare?.value.eta }
        set { setRare(\.eta, newValue) }
    }
    public var expires: String? {
        get { rare?.value.expires }
        set { setRare(\.expires, newValue) }
    }
    public var parentID: String? {
        get { rare?.value.parentID }
        set { setRare(\.parentID, newValue) }
    }
    public var exception: String? {
        get { rare?.value.exception }
        set { setRare(\.exception, newValue) }
    }
    public var traceback: String? {
        get { rare?.value.traceback }
        set { setRare(\.traceback, newValue) }
    }
    public var queue: String? {
        get { rare?.value.queue }
        set { setRare(\.queue, newValue) }
    }
    public var exchange: String? {
        get { rare?.value.exchange }
        set { setRare(\.exchange, newValue) }
    }
    public var routingKey: String? {
        get { rare?.value.routingKey }
        set { setRare(\.routingKey, newValue) }
    }
    /// A custom state's name and meta (Celeriac's task-progress).
    public var state: String? {
        get { rare?.value.state }
        set { setRare(\.state, newValue) }
    }
    public var meta: JSONValue? {
        get { rare?.value.meta }
        set { setRare(\.meta, newValue) }
    }

    /// Writes a rare field (see `Optional.setField`).
    @inline(__always)
    private mutating func setRare<T>(_ field: WritableKeyPath<Rare, T?>, _ value: T?) {
        rare.setField(field, value, empty: Rare())
    }

    public init(kind: CeleryEvent.Kind, uuid: String) {
        self.kind = kind
        self.uuid = uuid
    }

    /// A client's task-sent (matched without comparing a custom type's name).
    var isSent: Bool {
        if case .taskSent = kind { return true }
        return false
    }

    /// Celeriac's task-progress.
    var isProgress: Bool {
        if case .taskProgress = kind { return true }
        return false
    }

    /// The event type as sent, e.g. `task-succeeded`.
    public var type: String { kind.type }

    /// The update a task event carries; nil for other events and task events without a uuid.
    public init?(_ event: CeleryEvent) {
        guard let task = event.task else { return nil }
        self.init(kind: event.kind, uuid: task.uuid)
        hostname = event.hostname
        timestamp = event.timestamp
        name = task.name
        args = task.args
        kwargs = task.kwargs
        retries = task.retries
        eta = task.eta
        expires = task.expires
        rootID = task.rootID
        parentID = task.parentID
        result = task.result
        runtime = task.runtime
        exception = task.exception
        traceback = task.traceback
        queue = task.queue
        exchange = task.exchange
        routingKey = task.routingKey
        state = task.state
        meta = task.meta
    }

    /// The state this event puts a task in; task-progress carries its own custom state, and
    /// any other unknown task-* type becomes a custom state named after it, as in Celery.
    public var taskState: TaskState {
        switch kind {
        case .taskSent: return .pending
        case .taskReceived: return .received
        case .taskStarted: return .started
        case .taskSucceeded: return .success
        case .taskFailed: return .failure
        case .taskRetried: return .retry
        case .taskRevoked: return .revoked
        case .taskRejected: return .rejected
        case .taskProgress: return TaskState(state ?? "PROGRESS")
        default: return TaskState(String(type.dropFirst("task-".count)).uppercased())
        }
    }
}
