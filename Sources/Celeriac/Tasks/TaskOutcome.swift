import Foundation

/// How one run of a task ended — what the worker then stores, publishes and acks.
public enum TaskOutcome: Sendable, Hashable {
    /// The body returned; the JSON result to store.
    case success(JSONValue)
    /// The task failed for good; store FAILURE with this error.
    case failure(CeleryError)
    /// Send the task again (same id, retries + 1, new eta) and store RETRY.
    case retry(TaskRetryPlan)
    /// Reject the message (Celery's `Reject`); no state is stored.
    case rejected(requeue: Bool, reason: CeleryError?)
    /// Store nothing (Celery's `Ignore`).
    case ignored
    /// The task replaced itself (`TaskContext.replace(with:)`): send this signature, which
    /// carries the task's id, and store nothing.
    case replaced(Signature)

    /// The state this outcome records; `IGNORED` is Celery's name for the last.
    public var state: TaskState {
        switch self {
        case .success: return .success
        case .failure: return .failure
        case .retry: return .retry
        case .rejected: return .rejected
        case .ignored, .replaced: return TaskState("IGNORED")
        }
    }
}

/// What a retry needs: when to run again, why, and the retries count the new message carries.
public struct TaskRetryPlan: Sendable, Hashable {
    /// Seconds from now; nil when `eta` is set.
    public var countdown: Double?
    public var eta: Date?
    /// The RETRY result: the error retried for, or Celery's `Retry` when the task gave none.
    public var error: CeleryError
    /// The `retries` header of the new message (this run's count + 1).
    public var retries: Int

    public init(countdown: Double? = nil, eta: Date? = nil, error: CeleryError, retries: Int) {
        self.countdown = countdown
        self.eta = eta
        self.error = error
        self.retries = retries
    }

    /// When the new message should run.
    public func runAt(from now: Date = Date()) -> Date {
        eta ?? now.addingTimeInterval(countdown ?? 0)
    }
}

/// A hook that threw. It never changes a task's outcome; the executor hands it to the caller
/// (the worker logs it).
public struct TaskHookError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Celery's hook name: "on_success", "on_failure", "on_retry" or "after_return".
    public var hook: String
    public var taskName: String
    public var taskID: String
    public var error: CeleryError

    public init(hook: String, taskName: String, taskID: String, error: CeleryError) {
        self.hook = hook
        self.taskName = taskName
        self.taskID = taskID
        self.error = error
    }

    public var description: String { "\(hook) of task \(taskName)[\(taskID)] raised \(error)" }
}

/// Celery's exponential backoff for autoretries (celery/utils/time.py
/// `get_exponential_backoff_interval`): `min(maximum, factor × 2^retries)`, then with full
/// jitter a random value from 0 up to that.
public enum RetryBackoff {
    public static func countdown(factor: Double, retries: Int, maximum: Double, jitter: RetryJitter?) -> Double {
        // Celery takes max(1, retry_backoff): True is 1, and a factor below 1 still doubles from 1.
        let exponential = max(1, factor) * pow(2, Double(max(0, retries)))
        let capped = min(maximum, exponential)
        guard let jitter else { return max(0, capped) }
        return min(capped, max(0, jitter.draw(capped)))
    }
}

/// The random source of backoff jitter: given an upper bound, a value in 0...bound.
/// Injectable so tests get fixed countdowns.
public struct RetryJitter: Sendable {
    public let draw: @Sendable (Double) -> Double

    public init(_ draw: @escaping @Sendable (Double) -> Double) {
        self.draw = draw
    }

    /// Celery's `random.randrange(countdown + 1)`: a whole number of seconds in 0...bound.
    public static let system = RetryJitter { bound in
        guard bound.isFinite, bound >= 1 else { return 0 }
        return Double(Int.random(in: 0...Int(min(bound, 1e12))))
    }
}
