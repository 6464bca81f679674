import Foundation

/// One task a worker holds, as `Request.info()` describes it in the replies to `active`,
/// `reserved`, `scheduled` (under `request`) and `query_task`.
public struct TaskInfo: Sendable, Hashable {
    public var id: String
    /// The task name, e.g. "fix.add".
    public var name: String?
    /// The positional arguments; with `active(safe: true)` their repr string instead.
    public var args: JSONValue
    /// The keyword arguments; with `active(safe: true)` their repr string instead.
    public var kwargs: JSONValue
    /// The task type (the name, unless shadowed).
    public var type: String?
    /// The node holding the task.
    public var hostname: String?
    /// When execution started (seconds since 1970); nil until it has.
    public var timeStart: Double?
    public var acknowledged: Bool
    public var deliveryInfo: DeliveryInfo?
    /// The pool process running the task; nil until it runs.
    public var workerPID: Int?
    public var raw: JSONValue

    public init(json: JSONValue) throws(PidboxError) {
        guard json.objectValue != nil, let id = json["id"]?.stringValue else {
            throw .unexpectedReply(method: "task info", value: json.pidboxPreview, expected: "an object with a task 'id'")
        }
        self.id = id
        name = json["name"]?.stringValue
        args = json["args"] ?? .null
        kwargs = json["kwargs"] ?? .null
        type = json["type"]?.stringValue
        hostname = json["hostname"]?.stringValue
        timeStart = json["time_start"]?.doubleValue
        acknowledged = json["acknowledged"]?.boolValue ?? false
        deliveryInfo = json.pidboxField("delivery_info").map(DeliveryInfo.init(json:))
        workerPID = json["worker_pid"]?.intValue
        raw = json
    }

    /// The list `active` or `reserved` answers.
    public static func list(from reply: JSONValue, method: String = "active") throws(PidboxError) -> [TaskInfo] {
        try reply.checkedReply()
        guard let entries = reply.arrayValue else {
            throw .unexpectedReply(method: method, value: reply.pidboxPreview, expected: "a list of task info objects")
        }
        var tasks: [TaskInfo] = []
        for entry in entries { tasks.append(try TaskInfo(json: entry)) }
        return tasks
    }
}

/// Where a task's message came from (`delivery_info`).
public struct DeliveryInfo: Sendable, Hashable {
    public var exchange: String?
    public var routingKey: String?
    public var priority: Int?
    public var redelivered: Bool?

    public init(exchange: String? = nil, routingKey: String? = nil, priority: Int? = nil, redelivered: Bool? = nil) {
        self.exchange = exchange
        self.routingKey = routingKey
        self.priority = priority
        self.redelivered = redelivered
    }

    public init(json: JSONValue) {
        self.init(exchange: json["exchange"]?.stringValue, routingKey: json["routing_key"]?.stringValue,
                  priority: json["priority"]?.intValue, redelivered: json["redelivered"]?.boolValue)
    }
}

/// An entry of the `scheduled` reply: a task waiting in the worker's timer.
public struct ScheduledTask: Sendable, Hashable {
    /// When it is due, as Celery wrote it (ISO 8601); nil if it has none.
    public var eta: String?
    /// The timer entry's priority.
    public var priority: Int?
    public var request: TaskInfo
    public var raw: JSONValue

    public init(json: JSONValue) throws(PidboxError) {
        guard let request = json["request"] else {
            throw .unexpectedReply(method: "scheduled", value: json.pidboxPreview,
                                   expected: "an object with 'eta', 'priority' and 'request'")
        }
        self.request = try TaskInfo(json: request)
        eta = json["eta"]?.stringValue
        priority = json["priority"]?.intValue
        raw = json
    }

    /// `eta` as a date.
    public var etaDate: Date? { eta.flatMap(CeleryTime.parse) }

    /// The list `scheduled` answers.
    public static func list(from reply: JSONValue) throws(PidboxError) -> [ScheduledTask] {
        try reply.checkedReply()
        guard let entries = reply.arrayValue else {
            throw .unexpectedReply(method: "scheduled", value: reply.pidboxPreview, expected: "a list of scheduled entries")
        }
        var tasks: [ScheduledTask] = []
        for entry in entries { tasks.append(try ScheduledTask(json: entry)) }
        return tasks
    }
}

/// An entry of the `query_task` reply, `[state, info]`.
public struct QueriedTask: Sendable, Hashable {
    /// "active", "reserved" or "ready".
    public var state: String
    public var info: TaskInfo

    public init(json: JSONValue) throws(PidboxError) {
        guard let pair = json.arrayValue, pair.count == 2, let state = pair[0].stringValue else {
            throw .unexpectedReply(method: "query_task", value: json.pidboxPreview, expected: "a [state, task info] pair")
        }
        self.state = state
        info = try TaskInfo(json: pair[1])
    }

    /// The object `query_task` answers, by task id; ids the worker does not know are absent.
    public static func byID(from reply: JSONValue) throws(PidboxError) -> [String: QueriedTask] {
        try reply.checkedReply()
        guard let entries = reply.objectValue else {
            throw .unexpectedReply(method: "query_task", value: reply.pidboxPreview, expected: "an object {task_id: [state, info]}")
        }
        var tasks: [String: QueriedTask] = [:]
        for (id, entry) in entries { tasks[id] = try QueriedTask(json: entry) }
        return tasks
    }
}
