/// CeleriacMonitor: the dashboard's brain — the cluster state built from events, the figures
/// derived from it, and the clients that act on the cluster. It has no terminal code, so it is
/// tested without one; CeleriacTUI only draws it.
import Celeriac

/// What the monitor knows of one task, merged from its events as Celery's
/// `celery.events.state.Task` merges them.
public struct TaskRecord: Sendable, Hashable, Codable {
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
    public internal(set) var exception: String?
    public internal(set) var traceback: String?
    public internal(set) var runtime: Double?
    public internal(set) var retries: Int?
    public internal(set) var eta: String?
    public internal(set) var expires: String?
    public internal(set) var rootID: String?
    public internal(set) var parentID: String?
    /// The worker that received it.
    public internal(set) var worker: String?
    /// Routing, known from a task-sent event.
    public internal(set) var queue: String?
    public internal(set) var exchange: String?
    public internal(set) var routingKey: String?
    /// A custom state's meta (Celeriac's task-progress event).
    public internal(set) var meta: JSONValue?
    /// When each kind of event happened: sent, received, started, succeeded, failed, …
    public internal(set) var timeline: [Milestone] = []

    public struct Milestone: Sendable, Hashable, Codable {
        public var type: String
        public var timestamp: Double?
    }

    init(id: String, sequence: Int) {
        self.id = id
        self.sequence = sequence
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
    mutating func apply(_ event: CeleryEvent, fields task: TaskEventFields) {
        let eventState = Self.state(for: event)
        timeline.append(Milestone(type: event.type, timestamp: event.timestamp))
        let logicallyEarlier = eventState != .retry && state != .retry
            && eventState.precedence > state.precedence
        if logicallyEarlier {
            if eventState == .received || eventState == .pending { takeCallFields(task) }
            if worker == nil, eventState == .received { worker = event.hostname }
            return
        }
        state = eventState
        timestamp = event.timestamp
        takeCallFields(task)
        if eventState != .pending, let hostname = event.hostname { worker = hostname }
        result = task.result ?? result
        exception = task.exception ?? exception
        traceback = task.traceback ?? traceback
        runtime = task.runtime ?? runtime
        queue = task.queue ?? queue
        exchange = task.exchange ?? exchange
        routingKey = task.routingKey ?? routingKey
        if event.kind == .taskProgress { meta = task.meta }
    }

    /// name, args, kwargs, retries, eta, expires, root and parent: what RECEIVED owns in
    /// Celery's merge rules (task-sent carries the same, for tasks no worker took yet).
    private mutating func takeCallFields(_ task: TaskEventFields) {
        name = task.name ?? name
        args = task.args ?? args
        kwargs = task.kwargs ?? kwargs
        retries = task.retries ?? retries
        eta = task.eta ?? eta
        expires = task.expires ?? expires
        rootID = task.rootID ?? rootID
        parentID = task.parentID ?? parentID
    }

    /// The state an event puts a task in; task-progress carries its own custom state.
    static func state(for event: CeleryEvent) -> TaskState {
        switch event.kind {
        case .taskSent: return .pending
        case .taskReceived: return .received
        case .taskStarted: return .started
        case .taskSucceeded: return .success
        case .taskFailed: return .failure
        case .taskRetried: return .retry
        case .taskRevoked: return .revoked
        case .taskRejected: return .rejected
        case .taskProgress: return TaskState(event["state"]?.stringValue ?? "PROGRESS")
        default:
            // Celery's State turns any other task-* type into a custom state named after it.
            return TaskState(String(event.type.dropFirst("task-".count)).uppercased())
        }
    }
}
