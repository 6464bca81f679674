import Foundation

/// What a finished task sends on, as Celery's worker does in `trace_task`: on success each
/// `link` callback with the result prepended to its args (unless immutable) and the next step
/// of its chain, which carries the rest of the chain; on failure each `link_error` callback
/// with the task's id. Each names the finished task as its parent and shares its root. A step
/// may itself be a group, chain or chord: the plan holds every message it publishes.
public enum CanvasStep {
    /// What `message`, finished with `result`, sends on: callbacks first (several go as one
    /// group, as Celery sends them; a callback that is a group goes on its own), then the
    /// chain's next step.
    public static func after(_ message: TaskMessage, result: JSONValue) throws(CanvasError) -> CanvasPlan {
        var planner = CanvasPlanner(replyTo: nil, sender: sender(of: message))
        let callbacks = message.embed.callbacks ?? []
        if callbacks.count == 1 {
            try planner.add(callbacks[0], args: [result])
        } else if callbacks.count > 1 {
            let groups = callbacks.filter { $0.subtaskType == "group" }
            let tasks = callbacks.filter { $0.subtaskType != "group" }
            for group in groups { try planner.add(group, args: [result]) }
            if !tasks.isEmpty { try planner.add(.group(tasks), args: [result]) }
        }
        if var chain = message.embed.chain, let next = chain.popLast() {
            try planner.add(next, args: [result], options: ["chain": .array(chain.map(\.json))])
        }
        return planner.planned
    }

    /// What `message` sends when it fails: its `link_error` callbacks, each with the failed
    /// task's id prepended (unless immutable), always as one group — Celery's backend sends
    /// errbacks with `group(errbacks).apply_async((task_id,), parent_id=..., root_id=...)`.
    public static func afterFailure(_ message: TaskMessage) throws(CanvasError) -> CanvasPlan {
        try errbacks(message.embed.errbacks ?? [], of: message.id, sender: sender(of: message))
    }

    /// The errbacks of the task `taskID`, as one group called with that id.
    public static func errbacks(_ errbacks: [Signature], of taskID: String,
                                sender: (taskID: String, rootID: String)) throws(CanvasError) -> CanvasPlan {
        var planner = CanvasPlanner(replyTo: nil, sender: sender)
        if !errbacks.isEmpty { try planner.add(.group(errbacks), args: [.string(taskID)]) }
        return planner.planned
    }

    public static func sender(of message: TaskMessage) -> (taskID: String, rootID: String) {
        (message.id, message.rootID ?? message.id)
    }
}

extension TaskSendOptions {
    /// The options a signature carries, under Celery's `apply_async` names.
    public init(signatureOptions options: [String: JSONValue], now: Date = Date()) {
        self.init()
        taskID = options["task_id"]?.stringValue
        queue = options["queue"]?.stringValue
        exchange = options["exchange"]?.stringValue
        routingKey = options["routing_key"]?.stringValue
        priority = options["priority"]?.intValue
        countdown = options["countdown"]?.doubleValue
        eta = options["eta"]?.stringValue.flatMap(CeleryTime.parse)
        if let expires = options["expires"] {
            self.expires = expires.doubleValue.map { now.addingTimeInterval($0) } ?? expires.stringValue.flatMap(CeleryTime.parse)
        }
        softTimeLimit = options["soft_time_limit"]?.doubleValue
        timeLimit = options["time_limit"]?.doubleValue
        shadow = options["shadow"]?.stringValue
        ignoreResult = options["ignore_result"]?.boolValue ?? false
        headers = options["headers"]?.objectValue ?? [:]
        link = Self.signatures(options["link"]) ?? []
        linkError = Self.signatures(options["link_error"]) ?? []
        parentID = options["parent_id"]?.stringValue
        rootID = options["root_id"]?.stringValue
        groupID = options["group_id"]?.stringValue
        groupIndex = options["group_index"]?.intValue
        chain = Self.signatures(options["chain"])
        chord = options["chord"].flatMap { try? Signature(json: $0) }
        replacedTaskNesting = options["replaced_task_nesting"]?.intValue ?? 0
    }

    /// A list of signatures, or one alone, as Celery accepts both for `link`.
    private static func signatures(_ value: JSONValue?) -> [Signature]? {
        guard let value, !value.isNull else { return nil }
        guard let list = value.arrayValue else { return (try? Signature(json: value)).map { [$0] } }
        return list.compactMap { try? Signature(json: $0) }
    }
}
