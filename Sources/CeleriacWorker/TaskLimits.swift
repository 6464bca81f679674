import Celeriac
import Foundation
import Synchronization

/// Per task name, the rate and time limits in force: the task's own options, replaced at run
/// time by the `rate_limit` and `time_limit` control commands.
final class TaskLimits: Sendable {
    private struct State {
        var rates: [String: RateLimit] = [:]
        var times: [String: (soft: Double?, hard: Double?)] = [:]
        /// When each rate-limited name may next start (Celery's token bucket of one).
        var nextStart: [String: Double] = [:]
    }

    private let state = AdaptiveLockedValueBox(State())
    /// Whether a control command has set any rate or time limit: until one does, a task's
    /// own options decide, and the connection's thread and the pool's threads need not meet
    /// in this lock for every task.
    private let overridden = Atomic<Bool>(false)

    func setRate(_ rate: RateLimit, for name: String) {
        state.withLockedValue { $0.rates[name] = rate }
        overridden.store(true, ordering: .releasing)
    }

    func setTimeLimits(soft: Double?, hard: Double?, for name: String) {
        state.withLockedValue { $0.times[name] = (soft, hard) }
        overridden.store(true, ordering: .releasing)
    }

    /// Seconds the task must wait for its rate limit, its token taken: 0 when unlimited or
    /// a token is free. Tasks over the rate are held, never refused, as in Celery.
    func rateDelay(for task: RegisteredTask, now: Double = Date().timeIntervalSince1970) -> Double {
        if task.options.rateLimit == nil, !overridden.load(ordering: .acquiring) { return 0 }
        return state.withLockedValue { state in
            guard let rate = state.rates[task.name] ?? task.options.parsedRateLimit, let interval = rate.interval else {
                return 0
            }
            let start = max(now, state.nextStart[task.name] ?? now)
            state.nextStart[task.name] = start + interval
            return start - now
        }
    }

    /// The time limits of a run: each from the message's header, else the control command's,
    /// else the task's, else the app's (`--time-limit`, `--soft-time-limit`).
    func runLimits(for task: RegisteredTask, message: TaskMessage, defaults: CeleriacConfiguration.TaskDefaults) -> RunLimits {
        let override = overridden.load(ordering: .acquiring) ? state.withLockedValue { $0.times[task.name] } : nil
        let hard = message.timeLimit.hard ?? override?.hard ?? task.options.timeLimit ?? defaults.timeLimit
        let soft = message.timeLimit.soft ?? override?.soft ?? task.options.softTimeLimit ?? defaults.softTimeLimit
        return RunLimits(soft: soft.flatMap { $0 > 0 ? $0 : nil }, hard: hard.flatMap { $0 > 0 ? $0 : nil })
    }
}
