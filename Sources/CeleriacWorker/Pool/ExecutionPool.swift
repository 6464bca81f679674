import Celeriac
import Foundation

/// One task for a pool to run: the message, its registered task, and what the run needs
/// around it (its delivery, its time limits, where custom states go).
struct PoolJob: Sendable {
    var message: TaskMessage
    var task: RegisteredTask
    var delivery: DeliveryInfo
    var limits: RunLimits
    /// Stores and announces `updateState` states (the worker's, wherever the task runs).
    var reporter: any TaskStateReporter
    /// Told the process the task runs in once it has one (`worker_pid` in `active`).
    var started: @Sendable (Int) -> Void = { _ in }
}

/// The time limits of one run, in seconds.
struct RunLimits: Sendable, Equatable {
    /// Past this the task is told (cancelled, or SIGUSR1 in a child) and may still finish.
    var soft: Double?
    /// Past this the run is abandoned, or its child killed: TimeLimitExceeded.
    var hard: Double?
}

/// How a pool's run of a task ended.
enum PoolRunResult: Sendable {
    /// The task ran to an outcome (time limits already folded in).
    case finished(TaskOutcome)
    /// Stopped by `terminate`: by a signal to its process, or by cancellation (nil).
    case terminated(signal: Int32?)
    /// The process running it died (prefork): Celery's WorkerLostError.
    case workerLost(CeleryError)
}

/// Where tasks run: in this process (solo, async, threads) or in child processes (prefork).
/// The worker's `TaskSlots` bounds how many run at once; a pool only runs what it is given.
protocol ExecutionPool: Sendable {
    var kind: PoolKind { get }
    func run(_ job: PoolJob) async -> PoolRunResult
    /// Stops the run of `taskID`; nil when it is not running here, else how it was stopped.
    func terminate(_ taskID: String, signal: Int32) -> String?
    /// The pool's new size, after `pool_grow`, `pool_shrink` or the autoscaler.
    func resize(to count: Int)
    /// The processes tasks run in (`stats`' pool.processes): children, or this process.
    var processIDs: [Int] { get }
    /// Warm: let children finish and exit. Cold: kill them now.
    func close(cold: Bool) async
}

/// Celery's errors for the limits and lost processes, from billiard.
enum PoolErrors {
    static func timeLimitExceeded(_ limit: Double) -> CeleryError {
        CeleryError(type: "TimeLimitExceeded", message: [.double(limit)], module: "billiard.exceptions")
    }

    static let softTimeLimitExceeded = CeleryError(type: "SoftTimeLimitExceeded", message: [],
                                                   module: "billiard.exceptions")

    static func workerLost(_ reason: String) -> CeleryError {
        CeleryError(type: "WorkerLostError", message: [.string(reason)], module: "billiard.exceptions")
    }

    /// A task that ended by its cancellation after the soft limit failed with
    /// SoftTimeLimitExceeded, as Celery's would have raised it; any other outcome stands.
    static func afterSoftLimit(_ outcome: TaskOutcome) -> TaskOutcome {
        if case .failure(let error) = outcome, error.type == "CancellationError" {
            return .failure(softTimeLimitExceeded)
        }
        return outcome
    }

    /// How an exit status reads in WorkerLostError, as billiard words it.
    static func exitDescription(_ status: Int32) -> String {
        if status & 0x7F != 0 {
            let signal = status & 0x7F
            return "signal \(signal) (\(signalName(signal)))"
        }
        return "exitcode \((status >> 8) & 0xFF)"
    }

    private static let signalNames: [(String, Int32)] = [
        ("SIGKILL", SIGKILL), ("SIGTERM", SIGTERM), ("SIGINT", SIGINT), ("SIGQUIT", SIGQUIT), ("SIGHUP", SIGHUP),
        ("SIGUSR1", SIGUSR1), ("SIGUSR2", SIGUSR2), ("SIGSEGV", SIGSEGV), ("SIGABRT", SIGABRT), ("SIGILL", SIGILL),
        ("SIGBUS", SIGBUS), ("SIGTRAP", SIGTRAP), ("SIGALRM", SIGALRM),
    ]

    static func signalName(_ signal: Int32) -> String {
        signalNames.first { $0.1 == signal }?.0 ?? "SIG\(signal)"
    }

    /// A signal as Celery's `signals.signum` reads one: a number, or a name with or without
    /// "SIG", any case. Nil for anything else.
    static func signalNumber(_ text: String) -> Int32? {
        if let number = Int32(text), number > 0, number < 65 { return number }
        let upper = text.uppercased()
        let name = upper.hasPrefix("SIG") ? upper : "SIG" + upper
        return signalNames.first { $0.0 == name }?.1
    }
}
