@testable import Celeriac
import Foundation
import Testing

/// The task signals go out around a run in Celery's order: prerun, the task's own hooks,
/// the outcome's signal, postrun — every receiver, in the order connected.
@Suite struct AppSignalsTests {
    func signals(_ log: EventLog) -> AppSignals {
        let signals = AppSignals()
        signals.onTaskPrerun { await log.record("prerun \($0.id)") }
        signals.onTaskPrerun { await log.record("prerun again \($0.name)") }
        signals.onTaskSuccess { await log.record("success \($1.serialized)") }
        signals.onTaskFailure { await log.record("failure \($1.type)") }
        signals.onTaskRetry { await log.record("retry \($0.retries) \($1.type)") }
        signals.onTaskPostrun { await log.record("postrun \($1.state.rawValue)") }
        return signals
    }

    func task(log: EventLog, body: @escaping @Sendable (TaskContext) async throws -> JSONValue) -> RegisteredTask {
        RegisteredTask(name: "fix.job", hooks: TaskHooks(afterReturn: { _, state in await log.record("after_return \(state.rawValue)") }),
                       run: body)
    }

    @Test func aSuccess() async {
        let log = EventLog()
        let outcome = await TaskExecutor.execute(task(log: log) { _ in 7 }, context: TaskContext(id: "t-1", name: "fix.job"),
                                                 signals: signals(log))
        #expect(outcome == .success(7))
        #expect(await log.entries == ["prerun t-1", "prerun again fix.job", "after_return SUCCESS", "success 7", "postrun SUCCESS"])
    }

    @Test func aFailureAndARetry() async {
        let log = EventLog()
        _ = await TaskExecutor.execute(task(log: log) { _ in throw TaskFixtures.Boom() },
                                       context: TaskContext(id: "t-2", name: "fix.job"), signals: signals(log))
        #expect(await log.entries.suffix(3) == ["after_return FAILURE", "failure Boom", "postrun FAILURE"])
        let retried = EventLog()
        _ = await TaskExecutor.execute(task(log: retried) { context in try context.retry(countdown: 1) },
                                       context: TaskContext(id: "t-3", name: "fix.job"), signals: signals(retried))
        #expect(await retried.entries.suffix(3) == ["after_return RETRY", "retry 0 Retry", "postrun RETRY"])
    }

    @Test func theWorkerSignalsReachEveryReceiver() async throws {
        let log = EventLog()
        let signals = AppSignals()
        signals.onWorkerReady { await log.record("ready \($0)") }
        signals.onWorkerShuttingDown { await log.record("shutting down \($0) \($1.rawValue)") }
        signals.onWorkerProcessInit { await log.record("process init") }
        signals.onTaskRevoked { await log.record("revoked \($0.taskID) \($0.terminated) \($0.signal.map(String.init) ?? "-")") }
        await signals.workerReady("w@h")
        try await signals.workerProcessInit()
        await signals.taskRevoked(.init(taskID: "t-4", taskName: "fix.job", terminated: true, signal: 9, expired: false))
        await signals.workerShuttingDown("w@h", .cold)
        #expect(await log.entries == ["ready w@h", "process init", "revoked t-4 true 9", "shutting down w@h Cold"])
    }
}
