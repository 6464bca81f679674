/// Thrown by `TaskContext.replace(with:)`: the task ends here, and the worker sends the
/// signature in its place (Celery's `Task.replace`, which raises `Ignore`).
public struct TaskReplacement: Error, Sendable, Hashable, CustomStringConvertible {
    public var signature: Signature
    public var description: String { "replaced by \(signature.task)" }
}

extension TaskContext {
    /// Ends this task and sends `signature` in its place, as Celery's `Task.replace` does:
    /// the replacement takes this task's id (so a caller waiting on it gets the replacement's
    /// result), its group, chord and root, its callbacks and errbacks, and the rest of its
    /// chain; `replaced_task_nesting` counts how deep replacements go. A group is made a chord
    /// into `celery.accumulate`, so the result is the group's list.
    ///
    ///     return try context.replace(with: .group(numbers.map { .s("demo.fib", .int($0)) }))
    public func replace(with signature: Signature) throws -> Never {
        throw TaskReplacement(signature: try replacement(for: signature))
    }

    /// The signature `replace(with:)` sends; throws Celery's ImproperlyConfigured for one that
    /// cannot replace a task.
    func replacement(for signature: Signature) throws(CeleryError) -> Signature {
        guard signature.options["chord"] == nil else {
            throw CeleryError(type: "ImproperlyConfigured", message: ["A signature replacing a task must not be part of a chord"],
                              module: "celery.exceptions")
        }
        let kind = try? signature.kind()
        if case .chain(let steps)? = kind, steps.isEmpty {
            throw CeleryError(type: "ImproperlyConfigured", message: ["Cannot replace with an empty chain"],
                              module: "celery.exceptions")
        }
        let nesting = (headers["replaced_task_nesting"]?.intValue ?? 0) + 1
        var ending: [String: JSONValue] = ["task_id": .string(id)]
        ending["chord"] = embed.chord?.json
        ending["group_id"] = groupID.map(JSONValue.string)
        ending["group_index"] = groupIndex.map(JSONValue.int)
        var every: [String: JSONValue] = ["replaced_task_nesting": .int(nesting)]
        every["root_id"] = rootID.map(JSONValue.string)
        let callbacks = (embed.callbacks ?? []).map(\.json)
        let errbacks = (embed.errbacks ?? []).map(\.json)

        var replacement = signature
        if case .group? = kind { replacement = signature | Signature.s("celery.accumulate", kwargs: ["index": 0]) }
        if case .chain(var steps)? = try? replacement.kind(), !steps.isEmpty {
            // Set on the steps, not the chain: a chain spliced into a longer one keeps its
            // steps, as Celery's frozen steps keep their ids.
            for index in steps.indices {
                steps[index] = steps[index].set(every)
                if !errbacks.isEmpty { steps[index].linkError(errbacks) }
            }
            steps[steps.count - 1] = steps[steps.count - 1].set(ending)
            if !callbacks.isEmpty { steps[steps.count - 1].appendOption("link", callbacks) }
            replacement = .chain(steps, options: replacement.options)
        } else {
            replacement = replacement.set(every).set(ending)
            if !callbacks.isEmpty { replacement.appendOption("link", callbacks) }
            if !errbacks.isEmpty { replacement.linkError(errbacks) }
        }
        for step in (embed.chain ?? []).reversed() {
            replacement = replacement | step.set(["replaced_task_nesting": .int(nesting)])
        }
        return replacement
    }
}

extension Signature {
    /// Adds errbacks as Celery's `link_error` does: a group passes them to each of its tasks,
    /// since a group itself takes no links.
    mutating func linkError(_ errbacks: [JSONValue]) {
        if case .group(var members)? = try? kind() {
            for index in members.indices { members[index].linkError(errbacks) }
            kwargs["tasks"] = .array(members.map(\.json))
        } else {
            appendOption("link_error", errbacks)
        }
    }
}
