extension TaskRegistry {
    /// The task a worker runs for `name`: a registered one, or one of Celery's built-in
    /// canvas tasks that every worker has (`celery.starmap`, `celery.map`,
    /// `celery.accumulate`). Built-ins stay out of `names`, as Celery's `registered` reply
    /// leaves them out.
    public func runnable(named name: String) -> RegisteredTask? {
        task(named: name) ?? BuiltinTasks.task(named: name, in: self)
    }
}

/// Celery's `celery/app/builtins.py`, for the canvas helpers that send a task message.
enum BuiltinTasks {
    static func task(named name: String, in registry: TaskRegistry) -> RegisteredTask? {
        switch name {
        case "celery.starmap": return mapping(name, spreading: true, in: registry)
        case "celery.map": return mapping(name, spreading: false, in: registry)
        case "celery.accumulate": return accumulate
        default: return nil
        }
    }

    /// `starmap(task, it)` runs `task(*item)` for each item, in this worker, one after the
    /// other, and returns the list of results; `map` runs `task(item)`.
    private static func mapping(_ name: String, spreading: Bool, in registry: TaskRegistry) -> RegisteredTask {
        RegisteredTask(name: name, argumentNames: ["task", "it"]) { context in
            guard let taskJSON = context.kwargs["task"] ?? context.args.first,
                  let items = (context.kwargs["it"] ?? context.args.dropFirst().first)?.arrayValue else {
                throw CeleryError(type: "TypeError", message: [.string("\(name)() needs 'task' and 'it'")])
            }
            let signature = try Signature(json: taskJSON)
            guard let inner = registry.task(named: signature.task) else {
                throw CeleryError(type: "NotRegistered", message: [.string(signature.task)], module: "celery.exceptions")
            }
            var results: [JSONValue] = []
            for item in items {
                var call = context
                call.name = signature.task
                call.args = spreading ? (item.arrayValue ?? [item]) : [item]
                call.kwargs = [:]
                results.append(try await inner.run(call))
            }
            return .array(results)
        }
    }

    /// `accumulate(*args, index=None)`: the arguments, or the one at `index` — what a group
    /// that replaced a task is chorded into, so the task's result is the group's list.
    private static let accumulate = RegisteredTask(name: "celery.accumulate") { context in
        guard let index = context.kwargs["index"]?.intValue else { return .array(context.args) }
        guard context.args.indices.contains(index) else {
            throw CeleryError(type: "IndexError", message: ["tuple index out of range"])
        }
        return context.args[index]
    }
}

extension Signature {
    /// `task.starmap(items)`: one message; the worker runs `task(*item)` for every item and
    /// returns the list of results.
    public static func starmap(_ task: Signature, _ items: [[JSONValue]]) -> Signature {
        Signature(task: "celery.starmap", kwargs: ["task": task.json, "it": .array(items.map(JSONValue.array))],
                  subtaskType: "xstarmap", immutable: true)
    }

    /// `task.map(items)`: one message; the worker runs `task(item)` for every item.
    public static func map(_ task: Signature, _ items: [JSONValue]) -> Signature {
        Signature(task: "celery.map", kwargs: ["task": task.json, "it": .array(items)], subtaskType: "xmap", immutable: true)
    }

    /// `task.chunks(items, size)`: the items split into parts of `size`, each a starmap, sent
    /// as one group; the group's result is a list of lists.
    public static func chunks(_ task: Signature, _ items: [[JSONValue]], size: Int) -> Signature {
        Signature(task: "celery.chunks", kwargs: ["task": task.json, "it": .array(items.map(JSONValue.array)), "n": .int(size)],
                  subtaskType: "chunks", immutable: true)
    }
}
