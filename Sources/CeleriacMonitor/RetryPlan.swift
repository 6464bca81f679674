import Celeriac

/// How a task seen in the events can be sent again: same name, arguments and routing. Celery's
/// events carry the arguments only as Python reprs, so they are parsed back, and a retry is
/// refused with the exact reason when they cannot be (truncated, or not literals).
public struct RetryPlan: Sendable, Hashable {
    public var taskID: String
    public var name: String
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    /// The queue to send to: from the task-sent event, else the default queue (editable).
    public var queue: String
    public var exchange: String?
    public var routingKey: String?
    /// True when the routing came from a task-sent event; false when it is the default queue.
    public var routingKnown: Bool
    /// Why the events' reprs could not be read back, for a plan made to look for the exact
    /// arguments in a result backend first; nil when `args` and `kwargs` are good.
    public var argumentsProblem: RetryPlanError?

    /// With `backendMayHaveArguments`, reprs that cannot be read back are no reason to refuse
    /// yet: a stored backend with result_extended may hold the exact arguments.
    public init(record: TaskRecord, defaultQueue: String, backendMayHaveArguments: Bool = false) throws(RetryPlanError) {
        guard let name = record.name, !name.isEmpty else { throw .nameUnknown(taskID: record.id) }
        do {
            (args, kwargs) = try Self.arguments(of: record)
        } catch {
            guard backendMayHaveArguments else { throw error }
            (args, kwargs, argumentsProblem) = ([], [:], error)
        }
        taskID = record.id
        self.name = name
        routingKnown = record.queue != nil || record.routingKey != nil
        queue = record.queue ?? record.routingKey ?? defaultQueue
        exchange = record.exchange
        routingKey = record.routingKey
    }

    /// The args and kwargs read back from the events' reprs.
    private static func arguments(of record: TaskRecord) throws(RetryPlanError) -> ([JSONValue], [String: JSONValue]) {
        let args: [JSONValue]
        do {
            args = try PythonLiteral.arguments(record.args ?? "()")
        } catch {
            throw .argumentsUnusable(taskID: record.id, what: "args", reason: error.description)
        }
        do {
            return (args, try PythonLiteral.keywordArguments(record.kwargs ?? "{}"))
        } catch {
            throw .argumentsUnusable(taskID: record.id, what: "kwargs", reason: error.description)
        }
    }

    /// Send options for the new message; the queue given at the prompt wins over the recorded one.
    func sendOptions(queue chosen: String? = nil) -> TaskSendOptions {
        var options = TaskSendOptions()
        if let chosen, chosen != queue {
            options.queue = chosen
        } else {
            options.queue = queue
            options.exchange = exchange
            options.routingKey = routingKey
        }
        return options
    }
}

public enum RetryPlanError: Error, Sendable, Hashable, CustomStringConvertible {
    case unknownTask(taskID: String)
    case nameUnknown(taskID: String)
    case argumentsUnusable(taskID: String, what: String, reason: String)

    public var description: String {
        switch self {
        case .unknownTask(let id):
            return "cannot retry \(id): the dashboard has no events for it, so its name and arguments are unknown; send it again with `celeriac call`"
        case .nameUnknown(let id):
            return "cannot retry \(id): no event named its task (workers without -E send no task-received); send it again with `celeriac call`"
        case .argumentsUnusable(let id, let what, let reason):
            return "cannot retry \(id): its \(what) cannot be re-sent — \(reason)"
        }
    }
}
