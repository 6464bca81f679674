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
    public var eta: String?
    public var expires: String?
    public var rootID: String?
    public var parentID: String?
    public var result: String?
    public var runtime: Double?
    public var exception: String?
    public var traceback: String?
    public var queue: String?
    public var exchange: String?
    public var routingKey: String?
    /// A custom state's name and meta (Celeriac's task-progress).
    public var state: String?
    public var meta: JSONValue?

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
