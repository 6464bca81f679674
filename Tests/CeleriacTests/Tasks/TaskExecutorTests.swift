@testable import Celeriac
import Foundation
import Testing

@Suite struct TaskExecutorTests {
    typealias Flaky = TaskFixtures.Flaky
    typealias Boom = TaskFixtures.Boom

    /// A task whose body is `body`, with every hook writing to `log`.
    func task(options: TaskOptions = TaskOptions(), log: EventLog? = nil, failingHook: String? = nil,
              body: @escaping @Sendable (TaskContext) async throws -> JSONValue) -> RegisteredTask {
        let hook: @Sendable (String, String) async throws -> Void = { name, detail in
            await log?.record("\(name) \(detail)")
            if name == failingHook { throw Boom() }
        }
        let hooks = TaskHooks(
            onSuccess: { _, result in try await hook("on_success", result.serialized) },
            onFailure: { _, error in try await hook("on_failure", error.type) },
            onRetry: { _, error in try await hook("on_retry", error.type) },
            afterReturn: { _, state in try await hook("after_return", state.rawValue) })
        return RegisteredTask(name: "fix.job", options: options, hooks: hooks, run: body)
    }

    func context(retries: Int = 0) -> TaskContext {
        TaskContext(id: "t-1", name: "fix.job", retries: retries)
    }

    let noJitter = RetryJitter { _ in Issue.record("jitter was drawn"); return 0 }

    // MARK: Outcomes

    @Test func aReturnedValueIsSuccess() async {
        let outcome = await TaskExecutor.execute(task { _ in 42 }, context: context())
        #expect(outcome == .success(42))
        #expect(outcome.state == .success)
    }

    @Test func aThrownErrorIsFailureInCelerysShape() async {
        let outcome = await TaskExecutor.execute(task { _ in throw Boom() }, context: context())
        #expect(outcome == .failure(CeleryError(type: "Boom", message: ["boom"], module: "swift")))
    }

    @Test func retryBecomesARetryPlanWithTheNextCount() async {
        let outcome = await TaskExecutor.execute(task { context in try context.retry(countdown: 5, error: Boom()) },
                                                 context: context(retries: 1))
        #expect(outcome == .retry(TaskRetryPlan(countdown: 5, error: CeleryError(swiftError: Boom()), retries: 2)))
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        guard case .retry(let plan) = outcome else { return }
        #expect(plan.runAt(from: now) == now.addingTimeInterval(5))
    }

    @Test func aRetryWithoutAnErrorRecordsCelerysRetry() async {
        let outcome = await TaskExecutor.execute(task { context in try context.retry(countdown: 1) }, context: context())
        guard case .retry(let plan) = outcome else {
            Issue.record("expected a retry, got \(outcome)")
            return
        }
        #expect(plan.error.type == "Retry")
        #expect(plan.error.module == "celery.exceptions")
    }

    @Test func retriesUsedUpFailWithTheOriginalError() async {
        let job = task(options: TaskOptions(maxRetries: 2)) { context in try context.retry(error: Boom()) }
        let outcome = await TaskExecutor.execute(job, context: context(retries: 2))
        #expect(outcome == .failure(CeleryError(swiftError: Boom())))
    }

    @Test func theAppsRetryLimitAppliesWhenTheTaskSetsNone() async {
        var defaults = CeleriacConfiguration.TaskDefaults()
        defaults.maxRetries = 1
        let job = task { context in try context.retry(countdown: 1) }
        let outcome = await TaskExecutor.execute(job, context: context(retries: 1), defaults: defaults)
        #expect(outcome.state == .failure)
        if case .failure(let error) = outcome { #expect(error.type == "MaxRetriesExceededError") }
    }

    @Test func rejectAndIgnoreRunNoHooks() async {
        let log = EventLog()
        let rejected = await TaskExecutor.execute(task(log: log) { context in try context.reject(requeue: true) },
                                                  context: context())
        #expect(rejected == .rejected(requeue: true, reason: nil))
        let ignored = await TaskExecutor.execute(task(log: log) { context in try context.ignore() }, context: context())
        #expect(ignored == .ignored)
        #expect(await log.entries.isEmpty)
    }

    @Test func badArgumentsFailTheTaskAndAreNeverAutoretried() async {
        let job = RegisteredTask(TaskDefinition<TaskFixtures.Add, Int>(
            "fix.add", argumentNames: ["x", "y"], options: TaskOptions(autoretryFor: ["*"])) { _, call in call.x + call.y })
        let outcome = await TaskExecutor.execute(job, context: TaskContext(name: "fix.add", args: [1, "two"]))
        guard case .failure(let error) = outcome else {
            Issue.record("expected a failure, got \(outcome)")
            return
        }
        #expect(error.type == "TaskArgumentError")
        #expect(error.description.contains("argument 'y' should be Int"))
    }

    // MARK: Autoretry

    @Test func aListedErrorIsRetriedAfterTheDefaultDelay() async {
        let job = task(options: TaskOptions(autoretryFor: ["Flaky"], defaultRetryDelay: 7)) { _ in throw Flaky() }
        let outcome = await TaskExecutor.execute(job, context: context(), jitter: noJitter)
        #expect(outcome == .retry(TaskRetryPlan(countdown: 7, error: CeleryError(swiftError: Flaky()), retries: 1)))
    }

    @Test func anUnlistedErrorFails() async {
        let job = task(options: TaskOptions(autoretryFor: ["Flaky"])) { _ in throw Boom() }
        #expect(await TaskExecutor.execute(job, context: context()).state == .failure)
        let any = task(options: TaskOptions(autoretryFor: ["*"])) { _ in throw Boom() }
        #expect(await TaskExecutor.execute(any, context: context()).state == .retry)
    }

    @Test(arguments: [(0, 2.0), (3, 16.0), (5, 64.0), (10, 100.0), (60, 100.0)])
    func backoffDoublesUpToTheMaximum(retries: Int, countdown: Double) async {
        let options = TaskOptions(autoretryFor: ["Flaky"], retryBackoff: 2, retryBackoffMax: 100, retryJitter: false,
                                  maxRetries: .unlimited)
        let outcome = await TaskExecutor.execute(task(options: options) { _ in throw Flaky() },
                                                 context: context(retries: retries), jitter: noJitter)
        guard case .retry(let plan) = outcome else {
            Issue.record("expected a retry, got \(outcome)")
            return
        }
        #expect(plan.countdown == countdown)
        #expect(plan.retries == retries + 1)
    }

    @Test func jitterDrawsBelowTheBackoff() async {
        let options = TaskOptions(autoretryFor: ["Flaky"], retryBackoff: 1, maxRetries: .unlimited)
        let quarter = RetryJitter { $0 / 4 }
        let outcome = await TaskExecutor.execute(task(options: options) { _ in throw Flaky() },
                                                 context: context(retries: 3), jitter: quarter)
        guard case .retry(let plan) = outcome else {
            Issue.record("expected a retry, got \(outcome)")
            return
        }
        #expect(plan.countdown == 2)  // min(600, 1 × 2³) = 8, a quarter of it
    }

    @Test func autoretryPastMaxRetriesFailsWithTheOriginalError() async {
        let options = TaskOptions(autoretryFor: ["Flaky"], retryBackoff: 1, maxRetries: 3)
        let outcome = await TaskExecutor.execute(task(options: options) { _ in throw Flaky() },
                                                 context: context(retries: 3))
        #expect(outcome == .failure(CeleryError(swiftError: Flaky())))
    }

    @Test func backoffMatchesCelerysFormula() {
        #expect(RetryBackoff.countdown(factor: 1, retries: 0, maximum: 600, jitter: nil) == 1)
        #expect(RetryBackoff.countdown(factor: 3, retries: 2, maximum: 600, jitter: nil) == 12)
        #expect(RetryBackoff.countdown(factor: 1, retries: 1_000, maximum: 600, jitter: nil) == 600)
        #expect(RetryBackoff.countdown(factor: 0.5, retries: 1, maximum: 600, jitter: nil) == 2)
        #expect(RetryBackoff.countdown(factor: 1, retries: 4, maximum: 600, jitter: RetryJitter { $0 * 10 }) == 16)
        #expect(RetryBackoff.countdown(factor: 1, retries: 4, maximum: 600, jitter: RetryJitter { _ in -5 }) == 0)
        for _ in 0..<50 {
            let drawn = RetryBackoff.countdown(factor: 1, retries: 3, maximum: 600, jitter: .system)
            #expect((0...8).contains(drawn) && drawn == drawn.rounded())
        }
    }

    // MARK: Hooks

    @Test func hooksRunInCelerysOrder() async {
        let log = EventLog()
        _ = await TaskExecutor.execute(task(log: log) { _ in "ok" }, context: context())
        _ = await TaskExecutor.execute(task(log: log) { _ in throw Boom() }, context: context())
        _ = await TaskExecutor.execute(task(log: log) { context in try context.retry(countdown: 1, error: Flaky()) },
                                       context: context())
        #expect(await log.entries == [
            "on_success \"ok\"", "after_return SUCCESS",
            "on_failure Boom", "after_return FAILURE",
            "on_retry Flaky", "after_return RETRY",
        ])
    }

    @Test func aHookThatThrowsDoesNotChangeTheOutcome() async {
        let log = EventLog()
        let hookErrors = EventLog()
        let outcome = await TaskExecutor.execute(task(log: log, failingHook: "on_success") { _ in 1 },
                                                 context: context()) { error in
            await hookErrors.record("\(error.hook): \(error.error.type) in \(error.taskName)[\(error.taskID)]")
        }
        #expect(outcome == .success(1))
        #expect(await log.entries == ["on_success 1", "after_return SUCCESS"])
        #expect(await hookErrors.entries == ["on_success: Boom in fix.job[t-1]"])
    }

    @Test func typedOnSuccessGetsTheDecodedResult() async {
        let log = EventLog()
        var add = TaskFixtures.add
        add.onSuccess = { context, sum in await log.record("\(context.name) = \(sum)") }
        add.afterReturn = { _, state in await log.record(state.rawValue) }
        let outcome = await TaskExecutor.execute(RegisteredTask(add),
                                                 context: TaskContext(name: "fix.add", args: [2], kwargs: ["y": 3]))
        #expect(outcome == .success(5))
        #expect(await log.entries == ["fix.add = 5", "SUCCESS"])
    }
}
