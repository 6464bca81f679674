import Foundation
import NIOConcurrencyHelpers

/// Celery's signals (celery.signals) that users hang their own code on, as hooks on an app.
/// Every hook registered runs, in order; a worker sends each where Celery's does: the task
/// signals in the process that runs the task (a prefork child included), `processInit` once
/// in each prefork child before it takes work, the worker signals in the worker itself.
///
///     app.signals.onTaskPrerun { context in metrics.started(context.name) }
///     app.signals.onWorkerProcessInit { try await Database.connect() }
public final class AppSignals: Sendable {
    /// `worker_shutting_down`: how the worker stops.
    public enum Shutdown: String, Sendable {
        case warm = "Warm"
        case cold = "Cold"
    }

    /// `task_revoked`: a task the worker will not run, or stopped.
    public struct Revoked: Sendable, Hashable {
        public var taskID: String
        public var taskName: String
        public var terminated: Bool
        /// The signal a terminate sent; nil when not terminated or stopped by cancellation.
        public var signal: Int32?
        public var expired: Bool

        public init(taskID: String, taskName: String, terminated: Bool, signal: Int32?, expired: Bool) {
            self.taskID = taskID
            self.taskName = taskName
            self.terminated = terminated
            self.signal = signal
            self.expired = expired
        }
    }

    private struct Handlers {
        var workerReady: [@Sendable (String) async -> Void] = []
        var workerShuttingDown: [@Sendable (String, Shutdown) async -> Void] = []
        var workerProcessInit: [@Sendable () async throws -> Void] = []
        var taskPrerun: [@Sendable (TaskContext) async -> Void] = []
        var taskPostrun: [@Sendable (TaskContext, TaskOutcome) async -> Void] = []
        var taskSuccess: [@Sendable (TaskContext, JSONValue) async -> Void] = []
        var taskFailure: [@Sendable (TaskContext, CeleryError) async -> Void] = []
        var taskRetry: [@Sendable (TaskContext, CeleryError) async -> Void] = []
        var taskRevoked: [@Sendable (Revoked) async -> Void] = []
    }

    private let handlers = NIOLockedValueBox(Handlers())

    public init() {}

    /// `worker_ready`: the worker consumes and can take tasks; given its node name.
    public func onWorkerReady(_ hook: @escaping @Sendable (String) async -> Void) {
        handlers.withLockedValue { $0.workerReady.append(hook) }
    }

    /// `worker_shutting_down`: a shutdown began; given the node name and how.
    public func onWorkerShuttingDown(_ hook: @escaping @Sendable (String, Shutdown) async -> Void) {
        handlers.withLockedValue { $0.workerShuttingDown.append(hook) }
    }

    /// `worker_process_init`: once in each prefork child before its first task. Throwing
    /// stops the child, and a worker whose children cannot start does not start.
    public func onWorkerProcessInit(_ hook: @escaping @Sendable () async throws -> Void) {
        handlers.withLockedValue { $0.workerProcessInit.append(hook) }
    }

    /// `task_prerun`: before the task's body.
    public func onTaskPrerun(_ hook: @escaping @Sendable (TaskContext) async -> Void) {
        handlers.withLockedValue { $0.taskPrerun.append(hook) }
    }

    /// `task_postrun`: after the task and its own hooks, with its outcome.
    public func onTaskPostrun(_ hook: @escaping @Sendable (TaskContext, TaskOutcome) async -> Void) {
        handlers.withLockedValue { $0.taskPostrun.append(hook) }
    }

    /// `task_success`: the task returned this result.
    public func onTaskSuccess(_ hook: @escaping @Sendable (TaskContext, JSONValue) async -> Void) {
        handlers.withLockedValue { $0.taskSuccess.append(hook) }
    }

    /// `task_failure`: the task failed for good with this error.
    public func onTaskFailure(_ hook: @escaping @Sendable (TaskContext, CeleryError) async -> Void) {
        handlers.withLockedValue { $0.taskFailure.append(hook) }
    }

    /// `task_retry`: the task will run again; given why.
    public func onTaskRetry(_ hook: @escaping @Sendable (TaskContext, CeleryError) async -> Void) {
        handlers.withLockedValue { $0.taskRetry.append(hook) }
    }

    /// `task_revoked`: the task was revoked, expired, or terminated.
    public func onTaskRevoked(_ hook: @escaping @Sendable (Revoked) async -> Void) {
        handlers.withLockedValue { $0.taskRevoked.append(hook) }
    }

    // MARK: Sending, for the worker

    public func workerReady(_ hostname: String) async {
        for hook in handlers.withLockedValue({ $0.workerReady }) { await hook(hostname) }
    }

    public func workerShuttingDown(_ hostname: String, _ how: Shutdown) async {
        for hook in handlers.withLockedValue({ $0.workerShuttingDown }) { await hook(hostname, how) }
    }

    public func workerProcessInit() async throws {
        for hook in handlers.withLockedValue({ $0.workerProcessInit }) { try await hook() }
    }

    public func taskRevoked(_ revoked: Revoked) async {
        for hook in handlers.withLockedValue({ $0.taskRevoked }) { await hook(revoked) }
    }

    func taskPrerun(_ context: TaskContext) async {
        for hook in handlers.withLockedValue({ $0.taskPrerun }) { await hook(context) }
    }

    /// The outcome's own signal (success, failure or retry), then postrun.
    func taskEnded(_ context: TaskContext, _ outcome: TaskOutcome) async {
        let hooks = handlers.withLockedValue { $0 }
        switch outcome {
        case .success(let result): for hook in hooks.taskSuccess { await hook(context, result) }
        case .failure(let error): for hook in hooks.taskFailure { await hook(context, error) }
        case .retry(let plan): for hook in hooks.taskRetry { await hook(context, plan.error) }
        case .rejected, .ignored, .replaced: break
        }
        for hook in hooks.taskPostrun { await hook(context, outcome) }
    }
}
