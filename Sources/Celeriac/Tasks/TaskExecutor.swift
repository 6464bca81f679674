import Foundation

/// Runs one task to an outcome, as Celery's tracer (celery/app/trace.py) does, without any
/// I/O: the worker stores results, sends events, publishes retries and acks from the outcome.
///
/// - The body's `TaskRetry` becomes `.retry`; `MaxRetriesExceeded` becomes `.failure` with the
///   original error; `TaskReject` and `TaskIgnore` become `.rejected` and `.ignored`.
/// - Any other error whose type `autoretryFor` names is retried (with exponential backoff when
///   `retryBackoff` is set), unless retries are used up — then the task fails with that error.
///   Argument and result encoding errors are never retried: the same message fails the same way.
/// - Hooks run after the outcome is known: `onSuccess`, `onFailure` or `onRetry`, then
///   `afterReturn` with the state. Rejected and ignored tasks run no hooks (as Celery).
///   A hook's error never changes the outcome (Celery would turn it into an internal error);
///   it goes to `onHookError` for the worker to log.
/// - The app's signals, when given: `task_prerun` before the body; after the task's hooks,
///   `task_success`, `task_failure` or `task_retry`, then `task_postrun`.
public enum TaskExecutor {
    public static func execute(
        _ task: RegisteredTask, context: TaskContext,
        defaults: CeleriacConfiguration.TaskDefaults = CeleriacConfiguration.TaskDefaults(),
        jitter: RetryJitter = .system,
        signals: AppSignals? = nil,
        onHookError: @Sendable (TaskHookError) async -> Void = { _ in }
    ) async -> TaskOutcome {
        var context = context
        context.options = task.options.resolved(with: defaults)
        await signals?.taskPrerun(context)
        let outcome: TaskOutcome
        do {
            outcome = try await .success(task.run(context))
        } catch {
            outcome = self.outcome(of: error, context: context, jitter: jitter)
        }
        await runHooks(task.hooks, for: outcome, context: context, onHookError: onHookError)
        await signals?.taskEnded(context, outcome)
        return outcome
    }

    /// What an error thrown by a task's run means.
    static func outcome(of error: any Error, context: TaskContext, jitter: RetryJitter) -> TaskOutcome {
        switch error {
        case let retry as TaskRetry:
            return .retry(TaskRetryPlan(countdown: retry.countdown, eta: retry.eta, error: retry.celeryError,
                                        retries: context.retries + 1))
        case let exceeded as MaxRetriesExceeded:
            return .failure(exceeded.failure)
        case let reject as TaskReject:
            return .rejected(requeue: reject.requeue, reason: reject.reason)
        case is TaskIgnore:
            return .ignored
        case let replacement as TaskReplacement:
            return .replaced(replacement.signature)
        case is TaskArgumentError, is TaskOutputError:
            return .failure(CeleryError(swiftError: error))
        default:
            guard context.options.autoretries(error) else { return .failure(CeleryError(swiftError: error)) }
            return autoretry(error, context: context, jitter: jitter)
        }
    }

    /// Celery's autoretry wrapper: `task.retry(exc=exc, countdown=backoff)`, where a missing
    /// backoff leaves the task's default retry delay.
    static func autoretry(_ cause: any Error, context: TaskContext, jitter: RetryJitter) -> TaskOutcome {
        let options = context.options
        var countdown: Double? = nil
        if let factor = options.retryBackoff, factor > 0 {
            countdown = RetryBackoff.countdown(factor: factor, retries: context.retries,
                                               maximum: options.retryBackoffMax,
                                               jitter: options.retryJitter ? jitter : nil)
        }
        do {
            try context.retry(countdown: countdown, error: cause)
        } catch {
            // retry() only throws TaskRetry or MaxRetriesExceeded, both handled above.
            return outcome(of: error, context: context, jitter: jitter)
        }
    }

    static func runHooks(_ hooks: TaskHooks, for outcome: TaskOutcome, context: TaskContext,
                         onHookError: @Sendable (TaskHookError) async -> Void) async {
        func guarded(_ name: String, _ hook: () async throws -> Void) async {
            do {
                try await hook()
            } catch {
                await onHookError(TaskHookError(hook: name, taskName: context.name, taskID: context.id,
                                                error: CeleryError(swiftError: error)))
            }
        }
        switch outcome {
        case .success(let result):
            if let hook = hooks.onSuccess { await guarded("on_success") { try await hook(context, result) } }
        case .failure(let error):
            if let hook = hooks.onFailure { await guarded("on_failure") { try await hook(context, error) } }
        case .retry(let plan):
            if let hook = hooks.onRetry { await guarded("on_retry") { try await hook(context, plan.error) } }
        case .rejected, .ignored, .replaced:
            return
        }
        if let hook = hooks.afterReturn {
            await guarded("after_return") { try await hook(context, outcome.state) }
        }
    }
}
