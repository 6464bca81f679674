/// A task with typed arguments and result: its name, options, how its arguments bind to a
/// Celery call, its body and its lifecycle hooks.
///
///     struct Add: Codable, Sendable { var x: Int; var y: Int }
///     let add = TaskDefinition<Add, Int>("fix.add", argumentNames: ["x", "y"]) { _, call in
///         call.x + call.y
///     }
///     try registry.register(add)                   // a worker runs it for `add(2, 3)` from Python
///     let sum = try await add.delay(Add(x: 2, y: 3), on: app).get(Int.self)
///
/// Hooks run after the body, in Celery's order (`onSuccess`, `onFailure` or `onRetry`, then
/// `afterReturn` with the final state). A hook that throws does not change the task's outcome.
public struct TaskDefinition<Arguments: Codable & Sendable, Output: Codable & Sendable>: Sendable {
    public typealias Body = @Sendable (TaskContext, Arguments) async throws -> Output

    /// The registered name, e.g. "fix.add"; Python callers send this.
    public var name: String
    public var options: TaskOptions
    /// The positional parameters, in order, as a Python signature lists them. Positional args
    /// are zipped with these names and merged with kwargs before decoding `Arguments`; leave
    /// empty to decode `Arguments` from the args list itself (or from kwargs alone).
    public var argumentNames: [String]
    public var body: Body

    /// After the body returned and its result was encoded.
    public var onSuccess: (@Sendable (TaskContext, Output) async throws -> Void)?
    /// After the task failed for good (retries used up included).
    public var onFailure: (@Sendable (TaskContext, CeleryError) async throws -> Void)?
    /// After the task asked to be retried; gets the error it retries for.
    public var onRetry: (@Sendable (TaskContext, CeleryError) async throws -> Void)?
    /// Last, with SUCCESS, FAILURE or RETRY; not after a reject or ignore (as Celery).
    public var afterReturn: (@Sendable (TaskContext, TaskState) async throws -> Void)?

    public init(_ name: String, argumentNames: [String] = [], options: TaskOptions = TaskOptions(),
                body: @escaping Body) {
        self.name = name
        self.argumentNames = argumentNames
        self.options = options
        self.body = body
    }

    /// The type-erased form a registry and a worker use.
    public var registered: RegisteredTask { RegisteredTask(self) }
}

/// A task as the registry and worker see it, whatever its Swift types: a body from a context
/// to a JSON result, and hooks over JSON values.
public struct RegisteredTask: Sendable {
    public var name: String
    public var options: TaskOptions
    public var argumentNames: [String]
    /// Decodes the context's args and kwargs, runs the body, encodes the result. Bad arguments
    /// throw `TaskArgumentError`, an unencodable result `TaskOutputError`.
    public var run: @Sendable (TaskContext) async throws -> JSONValue
    public var hooks: TaskHooks

    public init(name: String, argumentNames: [String] = [], options: TaskOptions = TaskOptions(),
                hooks: TaskHooks = TaskHooks(), run: @escaping @Sendable (TaskContext) async throws -> JSONValue) {
        self.name = name
        self.argumentNames = argumentNames
        self.options = options
        self.hooks = hooks
        self.run = run
    }

    /// Erases a typed definition.
    public init<Arguments, Output>(_ definition: TaskDefinition<Arguments, Output>) {
        let name = definition.name
        let argumentNames = definition.argumentNames
        let body = definition.body
        self.init(name: name, argumentNames: argumentNames, options: definition.options,
                  hooks: TaskHooks(definition)) { context in
            let arguments = try TaskArguments.decode(Arguments.self, args: context.args, kwargs: context.kwargs,
                                                     argumentNames: argumentNames, taskName: name)
            let output = try await body(context, arguments)
            do {
                return try JSONValue(encoding: output)
            } catch {
                throw TaskOutputError.unencodable(task: name, type: "\(Output.self)", problem: "\(error)")
            }
        }
    }
}

/// A task's lifecycle hooks over JSON values (see `TaskDefinition` for when each runs).
public struct TaskHooks: Sendable {
    public var onSuccess: (@Sendable (TaskContext, JSONValue) async throws -> Void)?
    public var onFailure: (@Sendable (TaskContext, CeleryError) async throws -> Void)?
    public var onRetry: (@Sendable (TaskContext, CeleryError) async throws -> Void)?
    public var afterReturn: (@Sendable (TaskContext, TaskState) async throws -> Void)?

    public init(onSuccess: (@Sendable (TaskContext, JSONValue) async throws -> Void)? = nil,
                onFailure: (@Sendable (TaskContext, CeleryError) async throws -> Void)? = nil,
                onRetry: (@Sendable (TaskContext, CeleryError) async throws -> Void)? = nil,
                afterReturn: (@Sendable (TaskContext, TaskState) async throws -> Void)? = nil) {
        self.onSuccess = onSuccess
        self.onFailure = onFailure
        self.onRetry = onRetry
        self.afterReturn = afterReturn
    }

    /// A typed definition's hooks. `onSuccess` gets the result decoded back from the JSON it was
    /// stored as, so the hook sees exactly what callers will (a decoding failure is a hook error).
    init<Arguments, Output>(_ definition: TaskDefinition<Arguments, Output>) {
        self.init(onFailure: definition.onFailure, onRetry: definition.onRetry, afterReturn: definition.afterReturn)
        if let typed = definition.onSuccess {
            onSuccess = { context, result in try await typed(context, result.decode(as: Output.self)) }
        }
    }
}
