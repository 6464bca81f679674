import Foundation

/// A task's result as Celery's backends store it and its rpc:// backend sends it: status,
/// result (or the error), traceback, children, date_done, and with `result_extended` the
/// call's name, args, kwargs, worker, retries and queue. Unknown keys are kept.
public struct ResultMeta: Sendable, Hashable {
    public var taskID: String
    public var status: TaskState
    /// The return value; for FAILURE the exception object; for custom states their meta.
    public var result: JSONValue
    public var traceback: String?
    public var children: [JSONValue]
    public var dateDone: Date?
    public var name: String?
    public var args: [JSONValue]?
    public var kwargs: [String: JSONValue]?
    public var worker: String?
    public var retries: Int?
    public var queue: String?
    public var other: [String: JSONValue]

    public init(taskID: String, status: TaskState, result: JSONValue = .null, traceback: String? = nil,
                children: [JSONValue] = [], dateDone: Date? = nil, name: String? = nil, args: [JSONValue]? = nil,
                kwargs: [String: JSONValue]? = nil, worker: String? = nil, retries: Int? = nil,
                queue: String? = nil, other: [String: JSONValue] = [:]) {
        self.taskID = taskID
        self.status = status
        self.result = result
        self.traceback = traceback
        self.children = children
        self.dateDone = dateDone
        self.name = name
        self.args = args
        self.kwargs = kwargs
        self.worker = worker
        self.retries = retries
        self.queue = queue
        self.other = other
    }

    /// The failure, when the status is FAILURE (or RETRY with an exception).
    public var error: CeleryError? {
        CeleryError(json: result, traceback: traceback)
    }

    /// Reads Celery's meta JSON; throws when it is not an object with task_id and status.
    public init(json: JSONValue) throws(ResultMetaError) {
        guard case .object(var object) = json else { throw .notAnObject }
        guard let taskID = object.removeValue(forKey: "task_id")?.stringValue else { throw .missingField("task_id") }
        guard let status = object.removeValue(forKey: "status")?.stringValue else { throw .missingField("status") }
        let result = object.removeValue(forKey: "result") ?? .null
        let traceback = object.removeValue(forKey: "traceback")?.stringValue
        let children = object.removeValue(forKey: "children")?.arrayValue ?? []
        let dateDone = object.removeValue(forKey: "date_done")?.stringValue.flatMap(CeleryTime.parse)
        func take(_ key: String) -> JSONValue? {
            guard let value = object.removeValue(forKey: key), !value.isNull else { return nil }
            return value
        }
        self.init(taskID: taskID, status: TaskState(status), result: result, traceback: traceback,
                  children: children, dateDone: dateDone, name: take("name")?.stringValue,
                  args: take("args")?.arrayValue, kwargs: take("kwargs")?.objectValue,
                  worker: take("worker")?.stringValue, retries: take("retries")?.intValue,
                  queue: take("queue")?.stringValue, other: object)
    }

    /// The JSON Celery writes; extended fields only when present.
    public var json: JSONValue {
        var object = other
        object["task_id"] = .string(taskID)
        object["status"] = .string(status.rawValue)
        object["result"] = result
        object["traceback"] = traceback.map(JSONValue.string) ?? .null
        object["children"] = .array(children)
        object["date_done"] = dateDone.map { .string(CeleryTime.format($0)) } ?? .null
        if let name { object["name"] = .string(name) }
        if let args { object["args"] = .array(args) }
        if let kwargs { object["kwargs"] = .object(kwargs) }
        if let worker { object["worker"] = .string(worker) }
        if let retries { object["retries"] = .int(retries) }
        if let queue { object["queue"] = .string(queue) }
        return .object(object)
    }
}

public enum ResultMetaError: Error, Sendable, Hashable, CustomStringConvertible {
    case notAnObject
    case missingField(String)

    public var description: String {
        switch self {
        case .notAnObject: return "a result must be a JSON object with task_id and status"
        case .missingField(let field): return "result JSON lacks '\(field)'"
        }
    }
}
