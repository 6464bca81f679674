import Foundation

extension TaskMessage {
    /// Builds a task message with the headers and properties real Celery 5.7 writes
    /// (compare Tests/Fixtures/celery-amqp/task-*.json); `lang` is "swift".
    public static func build(name: String, args: [JSONValue] = [], kwargs: [String: JSONValue] = [:],
                             options: TaskSendOptions = TaskSendOptions(), replyTo: String? = nil,
                             defaultPriority: Int? = nil, origin: String = TaskMessage.defaultOrigin,
                             now: Date = Date()) -> TaskMessage {
        let id = options.taskID ?? UUID().uuidString.lowercased()
        let eta = options.eta ?? options.countdown.map { now.addingTimeInterval($0) }
        var headers = options.headers
        func header(_ key: String, _ value: JSONValue) { headers[key] = value }
        func header(_ key: String, _ value: String?) { headers[key] = value.map(JSONValue.string) ?? .null }
        header("lang", "swift")
        header("task", name)
        header("id", id)
        header("shadow", options.shadow)
        header("eta", eta.map(CeleryTime.format))
        header("expires", options.expires.map(CeleryTime.format))
        header("group", options.groupID)
        header("group_index", options.groupIndex.map(JSONValue.int) ?? .null)
        header("retries", .int(options.retries))
        let softLimit: JSONValue = options.softTimeLimit.map(JSONValue.double) ?? .null
        let hardLimit: JSONValue = options.timeLimit.map(JSONValue.double) ?? .null
        header("timelimit", .array([softLimit, hardLimit]))
        header("root_id", options.rootID ?? id)
        header("parent_id", options.parentID)
        header("argsrepr", JSONValue.truncatedRepr(JSONValue.pythonTupleRepr(args)))
        header("kwargsrepr", JSONValue.truncatedRepr(JSONValue.object(kwargs).pythonRepr))
        header("origin", origin)
        header("ignore_result", .bool(options.ignoreResult))
        header("replaced_task_nesting", .int(options.replacedTaskNesting))
        header("stamped_headers", .null)
        header("stamps", .object([:]))
        var properties = MessageProperties.json
        properties.deliveryMode = 2
        properties.correlationID = id
        properties.replyTo = replyTo
        properties.priority = options.priority ?? defaultPriority
        if let expires = options.expires {
            // RabbitMQ's per-message TTL in whole milliseconds; an expired task still gets 1 ms
            // (Celery does the same), so the broker drops it unseen.
            let milliseconds = Int((expires.timeIntervalSince(now) * 1000).rounded(.down))
            properties.expiration = String(max(milliseconds, 1))
        }
        let embed = TaskEmbed(callbacks: options.link.isEmpty ? nil : options.link,
                              errbacks: options.linkError.isEmpty ? nil : options.linkError,
                              chain: options.chain, chord: options.chord)
        return TaskMessage(headers: headers, args: args, kwargs: kwargs, embed: embed, properties: properties)
    }

    /// `<program><pid>@<host>`, the shape of Celery's `origin` header.
    public static var defaultOrigin: String {
        "gen\(ProcessInfo.processInfo.processIdentifier)@\(ProcessInfo.processInfo.hostName)"
    }
}
