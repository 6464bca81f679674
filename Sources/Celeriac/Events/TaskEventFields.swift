/// A typed view of a `task-*` event's own fields. Which fields appear depends on the type
/// (checked against Celery 5.7's messages in Tests/Fixtures/celery-amqp):
///
/// | type | fields besides the envelope |
/// |---|---|
/// | task-sent (client) | uuid, name, args, kwargs, retries, eta, expires, queue, exchange, routing_key, root_id, parent_id |
/// | task-received | uuid, name, args, kwargs, retries, eta, expires, root_id, parent_id |
/// | task-started | uuid |
/// | task-succeeded | uuid, result, runtime |
/// | task-failed, task-retried | uuid, exception, traceback |
/// | task-revoked | uuid, terminated, signum, expired |
/// | task-rejected | uuid, requeue |
/// | task-progress (Celeriac) | uuid, state, meta |
///
/// Where the fixtures add to the spec page (the fixtures win): `args`, `kwargs`, `result` and
/// `exception` are Python reprs (`"(2, 3)"`, `"{'x': 1, 'y': 2}"`, `"ValueError('boom ✗')"`) on
/// task-sent as well as task-received, for display only; `eta`/`expires` are ISO 8601 strings
/// or null; task-sent's `exchange` is `""` (the default exchange); `signum` is null unless the
/// task was terminated; and a task raising `Reject(requeue=False)` shows up as **task-failed**
/// (exception `"reject requeue=False: …"`), not task-rejected.
public struct TaskEventFields: Sendable, Hashable {
    /// The task id every task event carries.
    public let uuid: String
    /// All the event's fields, raw, for anything not typed below.
    public let fields: [String: JSONValue]

    /// Reads the view; nil without a string `uuid`, as Celery's `State` cannot place such an event.
    public init?(fields: [String: JSONValue]) {
        guard let uuid = fields["uuid"]?.stringValue else { return nil }
        self.uuid = uuid
        self.fields = fields
    }

    /// The registered task name, e.g. `fix.add` (task-sent, task-received).
    public var name: String? { string("name") }
    /// The positional arguments as a Python repr, e.g. `"(2, 3)"`; not JSON.
    public var args: String? { string("args") }
    /// The keyword arguments as a Python repr, e.g. `"{'x': 1, 'y': 2}"`; not JSON.
    public var kwargs: String? { string("kwargs") }
    /// How many times the task has been retried before this delivery.
    public var retries: Int? { fields["retries"]?.intValue }
    /// When the task may run at the earliest, ISO 8601; nil when it runs right away.
    public var eta: String? { string("eta") }
    /// When the task expires, ISO 8601; nil when it never does.
    public var expires: String? { string("expires") }
    /// The id of the first task in the workflow this task belongs to.
    public var rootID: String? { string("root_id") }
    /// The id of the task that sent this one (a chain's previous step); nil for a top-level call.
    public var parentID: String? { string("parent_id") }
    /// The return value as a Python repr, e.g. `"5"` (task-succeeded).
    public var result: String? { string("result") }
    /// Seconds the task body ran (task-succeeded).
    public var runtime: Double? { fields["runtime"]?.doubleValue }
    /// The exception as a Python repr, e.g. `"ValueError('boom')"` (task-failed, task-retried).
    public var exception: String? { string("exception") }
    /// The formatted Python traceback (task-failed, task-retried).
    public var traceback: String? { string("traceback") }
    /// Whether a revoke killed the running task (task-revoked).
    public var terminated: Bool? { fields["terminated"]?.boolValue }
    /// The signal that killed it, e.g. 15; nil when not terminated (task-revoked).
    public var signum: Int? { fields["signum"]?.intValue }
    /// Whether the task was revoked because its `expires` passed (task-revoked).
    public var expired: Bool? { fields["expired"]?.boolValue }
    /// Whether a rejected message went back to its queue (task-rejected).
    public var requeue: Bool? { fields["requeue"]?.boolValue }
    /// The queue the client routed the task to (task-sent).
    public var queue: String? { string("queue") }
    /// The exchange the task was published to; `""` is the default exchange (task-sent).
    public var exchange: String? { string("exchange") }
    /// The routing key the task was published with (task-sent).
    public var routingKey: String? { string("routing_key") }
    /// The custom state name, e.g. `PROGRESS` (Celeriac's task-progress).
    public var state: String? { string("state") }
    /// The custom state's metadata as JSON, e.g. `{"current": 3, "total": 10}` (task-progress).
    public var meta: JSONValue? { fields["meta"] }

    private func string(_ key: String) -> String? { fields[key]?.stringValue }
}

extension CeleryEvent {
    /// The task fields of a `task-*` event (custom ones included); nil for other events.
    public var task: TaskEventFields? {
        isTaskEvent ? TaskEventFields(fields: fields) : nil
    }
}
