import Foundation

extension TaskDefinition {
    /// Sends the task with its own options (Celery's `delay`).
    @discardableResult
    public func delay(_ arguments: Arguments, on app: App) async throws -> AsyncResult {
        try await applyAsync(arguments, on: app)
    }

    /// Sends the task (Celery's `apply_async`). The arguments go as positional args in
    /// `argumentNames` order and the rest as kwargs, so a Python worker binds them as it would
    /// a Python call. The task's queue, routing, priority, expiry and time limits apply where
    /// `options` leaves them unset.
    @discardableResult
    public func applyAsync(_ arguments: Arguments, options: TaskSendOptions = TaskSendOptions(),
                           on app: App) async throws -> AsyncResult {
        let call = try TaskArguments.encode(arguments, argumentNames: argumentNames, taskName: name)
        return try await app.send(name, args: call.args, kwargs: call.kwargs, options: sendOptions(for: options))
    }

    /// A signature for canvas use (Celery's `.s`): a parent's result is prepended to its args.
    public func s(_ arguments: Arguments) throws -> Signature {
        let call = try TaskArguments.encode(arguments, argumentNames: argumentNames, taskName: name)
        return Signature(task: name, args: call.args, kwargs: call.kwargs)
    }

    /// An immutable signature (Celery's `.si`): it ignores its parent's result.
    public func si(_ arguments: Arguments) throws -> Signature {
        var signature = try s(arguments)
        signature.immutable = true
        return signature
    }

    /// The call's options, with the task's own filling what the call leaves unset — as
    /// Celery's `apply_async` starts from the task's execution options.
    func sendOptions(for call: TaskSendOptions, now: Date = Date()) -> TaskSendOptions {
        var merged = call
        merged.queue = call.queue ?? options.queue
        merged.exchange = call.exchange ?? options.exchange
        merged.routingKey = call.routingKey ?? options.routingKey
        merged.priority = call.priority ?? options.priority
        merged.expires = call.expires ?? options.expires.map { now.addingTimeInterval($0) }
        merged.softTimeLimit = call.softTimeLimit ?? options.softTimeLimit
        merged.timeLimit = call.timeLimit ?? options.timeLimit
        merged.ignoreResult = call.ignoreResult || options.ignoreResult
        return merged
    }
}

extension TaskDefinition where Arguments == EmptyArguments {
    /// Sends a task that takes no arguments.
    @discardableResult
    public func delay(on app: App) async throws -> AsyncResult {
        try await applyAsync(EmptyArguments(), on: app)
    }
}
