/// Where `TaskContext.updateState` sends a running task's custom state (e.g. PROGRESS with
/// meta). The worker supplies one that stores it in the result backend (and, as Celeriac's
/// extension, sends a `task-progress` event); Celery itself sends no event for these.
public protocol TaskStateReporter: Sendable {
    func report(taskID: String, state: TaskState, meta: JSONValue) async throws
}

/// A reporter that drops every update: for tasks run outside a worker, and for tests.
public struct NoStateReporter: TaskStateReporter {
    public init() {}
    public func report(taskID: String, state: TaskState, meta: JSONValue) async throws {}
}
