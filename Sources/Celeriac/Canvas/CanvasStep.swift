import Foundation

/// A message a finished task sends on, as Celery's worker does in `trace_task`: on success
/// each `link` callback with the result prepended to its args (unless immutable) and the next
/// task of its chain, which also carries the rest of the chain; on failure each `link_error`
/// callback with the task's id. Each names the finished task as its parent and shares its root.
public struct CanvasStep: Sendable, Hashable {
    public var signature: Signature
    public var options: TaskSendOptions
    /// The caller's rpc:// reply queue, kept in the signature's options by the caller.
    public var replyTo: String?

    /// What `message`, finished with `result`, sends on: callbacks first (several go as one
    /// group, as Celery sends them), then the chain's next task.
    public static func after(_ message: TaskMessage, result: JSONValue) -> [CanvasStep] {
        let parentID = message.id
        let rootID = message.rootID ?? message.id
        var steps: [CanvasStep] = []
        let callbacks = message.embed.callbacks ?? []
        let groupID = callbacks.count > 1 ? UUID().uuidString.lowercased() : nil
        for (index, callback) in callbacks.enumerated() {
            var step = CanvasStep(callback.prepending([result]), parentID: parentID, rootID: rootID)
            if let groupID {
                step.options.groupID = groupID
                step.options.groupIndex = index
            }
            steps.append(step)
        }
        if var chain = message.embed.chain, let next = chain.popLast() {
            var step = CanvasStep(next.prepending([result]), parentID: parentID, rootID: rootID)
            step.options.chain = chain
            steps.append(step)
        }
        return steps
    }

    /// What `message` sends when it fails: its `link_error` callbacks, each with the failed
    /// task's id prepended (unless immutable), always as one group — Celery's worker sends
    /// errbacks with `group(errbacks).apply_async((task_id,), parent_id=..., root_id=...)`.
    public static func afterFailure(_ message: TaskMessage) -> [CanvasStep] {
        let errbacks = message.embed.errbacks ?? []
        guard !errbacks.isEmpty else { return [] }
        let groupID = UUID().uuidString.lowercased()
        return errbacks.enumerated().map { index, errback in
            var step = CanvasStep(errback.prepending([.string(message.id)]), parentID: message.id,
                                  rootID: message.rootID ?? message.id)
            step.options.groupID = groupID
            step.options.groupIndex = index
            return step
        }
    }

    init(_ signature: Signature, parentID: String, rootID: String) {
        self.signature = signature
        options = TaskSendOptions(signatureOptions: signature.options)
        options.parentID = parentID
        options.rootID = rootID
        replyTo = signature.options["reply_to"]?.stringValue
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
        link = (options["link"]?.arrayValue ?? []).compactMap { try? Signature(json: $0) }
        linkError = (options["link_error"]?.arrayValue ?? []).compactMap { try? Signature(json: $0) }
    }
}
