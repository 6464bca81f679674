import Foundation

/// Thrown by `TaskContext.retry` to tell the executor to run the task again later — Celery's
/// `Retry` exception. It is normal control flow, not a failure.
public struct TaskRetry: Error, Sendable, Hashable, CustomStringConvertible {
    /// Seconds from now; nil when `eta` is set.
    public var countdown: Double?
    public var eta: Date?
    /// The error that caused the retry, stored as the RETRY result.
    public var error: CeleryError?
    /// The limit this call checked against, when the call overrode the task's.
    public var maxRetries: Int?

    public init(countdown: Double? = nil, eta: Date? = nil, error: CeleryError? = nil, maxRetries: Int? = nil) {
        self.countdown = countdown
        self.eta = eta
        self.error = error
        self.maxRetries = maxRetries
    }

    /// Celery's wording: "Retry in 5.0s: ValueError('boom')".
    public var description: String {
        let when = eta.map { "at \(CeleryTime.format($0))" } ?? "in \(countdown ?? 0)s"
        return error.map { "Retry \(when): \($0.pythonRepr)" } ?? "Retry \(when)"
    }

    /// The exception a RETRY result carries when the task gave none.
    var celeryError: CeleryError {
        error ?? CeleryError(type: "Retry", message: [.string(description)], module: "celery.exceptions")
    }
}

/// Thrown by `TaskContext.retry` when the task has used up its retries. The task then fails
/// with the original error when there was one (as Celery re-raises `exc`), otherwise with
/// Celery's `MaxRetriesExceededError`.
public struct MaxRetriesExceeded: Error, Sendable, Hashable, CustomStringConvertible {
    public var taskName: String
    public var taskID: String
    public var maxRetries: Int
    public var args: [JSONValue]
    public var kwargs: [String: JSONValue]
    /// The error the task wanted to retry for.
    public var error: CeleryError?

    public init(taskName: String, taskID: String, maxRetries: Int, args: [JSONValue] = [],
                kwargs: [String: JSONValue] = [:], error: CeleryError? = nil) {
        self.taskName = taskName
        self.taskID = taskID
        self.maxRetries = maxRetries
        self.args = args
        self.kwargs = kwargs
        self.error = error
    }

    public var description: String {
        "Can't retry \(taskName)[\(taskID)] args:\(JSONValue.pythonTupleRepr(args)) "
            + "kwargs:\(JSONValue.object(kwargs).pythonRepr)"
    }

    /// What the task fails with.
    public var failure: CeleryError {
        error ?? CeleryError(type: "MaxRetriesExceededError", message: [.string(description)],
                             module: "celery.exceptions")
    }
}

/// Thrown to reject the message (Celery's `Reject`): the task records no result; with
/// `requeue` the broker delivers the message again, otherwise it is dropped or dead-lettered.
public struct TaskReject: Error, Sendable, Hashable, CustomStringConvertible {
    public var requeue: Bool
    public var reason: CeleryError?

    public init(requeue: Bool = false, reason: CeleryError? = nil) {
        self.requeue = requeue
        self.reason = reason
    }

    public var description: String { "reject requeue=\(requeue): \(reason?.description ?? "no reason")" }
}

/// Thrown to end the task without recording any state (Celery's `Ignore`), e.g. after
/// `updateState` set a custom final state.
public struct TaskIgnore: Error, Sendable, Hashable, CustomStringConvertible {
    public init() {}
    public var description: String { "task ignored" }
}
