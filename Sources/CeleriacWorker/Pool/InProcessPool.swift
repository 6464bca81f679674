import Celeriac
import Foundation
import Logging

/// The solo, async and threads pools: tasks run in this process, as Swift tasks (on the
/// threads pool's OS threads for `threads`). Limits and terminate work by cancellation:
/// a task that awaits, sleeps or checks `Task.isCancelled` stops there; one that blocks
/// without checking is abandoned at its hard limit and keeps its thread until it returns.
final class InProcessPool: ExecutionPool {
    let kind: PoolKind
    let hostname: String
    let defaults: CeleriacConfiguration.TaskDefaults
    let signals: AppSignals
    /// The threads pool's executor; nil runs tasks on Swift's own executor.
    let threads: ThreadPoolExecutor?
    let logger: Logger
    /// The running bodies by task id, for `terminate`.
    private let running = AdaptiveLockedValueBox<[String: Running]>([:])

    private struct Running {
        var body: Body
        var terminated = false
    }

    /// What `terminate` cancels: the body's own Swift task, or — for a body run inline — the
    /// Swift task running it, which the worker gives each task alone. The inline handle is
    /// used only under the lock and only while registered, and the body unregisters before
    /// its task can end.
    private enum Body: @unchecked Sendable {
        case task(Task<TaskOutcome, Never>)
        case inline(UnsafeCurrentTask)

        func cancel() {
            switch self {
            case .task(let task): task.cancel()
            case .inline(let task): task.cancel()
            }
        }
    }

    init(kind: PoolKind, concurrency: Int, hostname: String, defaults: CeleriacConfiguration.TaskDefaults,
         signals: AppSignals = AppSignals(), logger: Logger) {
        self.kind = kind
        self.hostname = hostname
        self.defaults = defaults
        self.signals = signals
        self.threads = kind == .threads ? ThreadPoolExecutor(threads: max(1, concurrency)) : nil
        self.logger = logger
    }

    /// Asked once: ProcessInfo makes a getpid system call each time, and every task reports it.
    private static let processID = Int(ProcessInfo.processInfo.processIdentifier)

    var processIDs: [Int] { [Self.processID] }

    func resize(to count: Int) {
        if let threads, count > threads.threadCount { threads.addThreads(count - threads.threadCount) }
    }

    func close(cold: Bool) async {
        if cold { running.withLockedValue { $0.values.forEach { $0.body.cancel() } } }
    }

    func terminate(_ taskID: String, signal: Int32) -> String? {
        let found = running.withLockedValue { running -> Bool in
            guard running[taskID] != nil else { return false }
            running[taskID]!.terminated = true
            running[taskID]!.body.cancel()
            return true
        }
        guard found else { return nil }
        return "cancelled (the \(kind.rawValue) pool stops a task by cancellation, not by signal)"
    }

    func run(_ job: PoolJob) async -> PoolRunResult {
        let context = TaskContext(message: job.message, hostname: hostname, deliveryInfo: job.delivery,
                                  options: job.task.options, reporter: job.reporter)
        let (defaults, signals, logger, task) = (defaults, signals, logger, job.task)
        let execute: @Sendable () async -> TaskOutcome = {
            await TaskExecutor.execute(task, context: context, defaults: defaults, signals: signals) { logger.warning("\($0)") }
        }
        let id = job.message.id
        let outcome: TaskOutcome
        if threads == nil, job.limits.soft == nil, job.limits.hard == nil {
            // No limit to watch and no thread to move to: the body runs here, saving the
            // hop to a task of its own and back — most of a no-op task's cost.
            withUnsafeCurrentTask { current in
                if let current { running.withLockedValue { $0[id] = Running(body: .inline(current)) } }
            }
            job.started(Self.processID)
            outcome = await execute()
        } else {
            let body = Task(executorPreference: threads) { await execute() }
            running.withLockedValue { $0[id] = Running(body: .task(body)) }
            job.started(Self.processID)
            outcome = await watch(body, limits: job.limits, label: "\(task.name)[\(id)]")
        }
        let terminated = running.withLockedValue { $0.removeValue(forKey: id)?.terminated ?? false }
        if terminated, case .failure = outcome { return .terminated(signal: nil) }
        return .finished(outcome)
    }

    /// Waits for the body, cancelling it at the soft limit and giving up on it at the hard
    /// (a body that blocks is left to finish on its own; its outcome is dropped).
    private func watch(_ body: Task<TaskOutcome, Never>, limits: RunLimits, label: String) async -> TaskOutcome {
        let softHit = AdaptiveLockedValueBox(false)
        let first = FirstResult<TaskOutcome, Never>()
        guard let watchdog = LimitWatchdog.start(limits, label: label, logger: logger,
                                                 onSoft: {
                                                     softHit.withLockedValue { $0 = true }
                                                     body.cancel()
                                                 },
                                                 onHard: { hard in
                                                     // The verdict before the cancel: a body that ends at
                                                     // once on it must not offer its CancellationError first.
                                                     first.offer(.success(.failure(PoolErrors.timeLimitExceeded(hard))))
                                                     body.cancel()
                                                 })
        else { return await body.value }
        Task { first.offer(.success(await body.value)) }
        let outcome = await first.value()
        watchdog.cancel()
        return softHit.withLockedValue { $0 } ? PoolErrors.afterSoftLimit(outcome) : outcome
    }
}
