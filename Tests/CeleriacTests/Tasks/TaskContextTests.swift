@testable import Celeriac
import Foundation
import Testing

@Suite struct TaskContextTests {
    func context(retries: Int = 0, options: TaskOptions = TaskOptions(),
                 reporter: any TaskStateReporter = NoStateReporter()) -> TaskContext {
        TaskContext(id: "t-1", name: "fix.add", args: [2, 3], retries: retries, hostname: "w1@host", options: options,
                    reporter: reporter)
    }

    @Test func aMessageBecomesTheRequestATaskSees() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let options = TaskSendOptions(countdown: 10, expires: now.addingTimeInterval(60), softTimeLimit: 5,
                                      timeLimit: 9, parentID: "parent", rootID: "root", groupID: "group",
                                      groupIndex: 2, retries: 1)
        let message = TaskMessage.build(name: "fix.add", args: [2, 3], kwargs: ["z": "ü"], options: options,
                                        replyTo: "reply-queue", origin: "gen1@host", now: now)
        let delivery = DeliveryInfo(exchange: "", routingKey: "celery", priority: 0, redelivered: false)
        let context = TaskContext(message: message, hostname: "w1@host", deliveryInfo: delivery)
        #expect(context.id == message.id)
        #expect(context.name == "fix.add")
        #expect(context.args == [2, 3])
        #expect(context.kwargs == ["z": "ü"])
        #expect(context.retries == 1)
        #expect(context.eta.map { abs($0.timeIntervalSince(now) - 10) < 0.001 } == true)
        #expect(context.expires.map { abs($0.timeIntervalSince(now) - 60) < 0.001 } == true)
        #expect(context.hostname == "w1@host")
        #expect(context.deliveryInfo == delivery)
        #expect(context.parentID == "parent")
        #expect(context.rootID == "root")
        #expect(context.groupID == "group")
        #expect(context.groupIndex == 2)
        #expect(context.correlationID == message.id)
        #expect(context.replyTo == "reply-queue")
        #expect(context.origin == "gen1@host")
        #expect(context.softTimeLimit == 5)
        #expect(context.timeLimit == 9)
        #expect(context.headers["lang"] == "swift")
    }

    @Test func retryThrowsTaskRetryWithTheCountdown() {
        #expect(throws: TaskRetry(countdown: 5)) { try context().retry(countdown: 5) }
    }

    @Test func retryWithoutCountdownWaitsTheDefaultDelay() {
        #expect(throws: TaskRetry(countdown: 180)) { try context().retry() }
        #expect(throws: TaskRetry(countdown: 7)) { try context(options: TaskOptions(defaultRetryDelay: 7)).retry() }
        let eta = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(throws: TaskRetry(countdown: nil, eta: eta)) { try context().retry(eta: eta) }
    }

    @Test func retryCarriesTheErrorInCelerysShape() {
        let expected = TaskRetry(countdown: 1, error: CeleryError(swiftError: TaskFixtures.Boom()))
        #expect(throws: expected) { try context().retry(countdown: 1, error: TaskFixtures.Boom()) }
        #expect(expected.description == "Retry in 1.0s: Boom('boom')")
    }

    @Test func retryingPastMaxRetriesThrowsMaxRetriesExceededWithTheOriginalError() {
        let tired = context(retries: 3, options: TaskOptions(maxRetries: 3))
        let error = #expect(throws: MaxRetriesExceeded.self) { try tired.retry(error: TaskFixtures.Boom()) }
        #expect(error?.error == CeleryError(swiftError: TaskFixtures.Boom()))
        #expect(error?.failure.type == "Boom")
        #expect(error?.maxRetries == 3)
    }

    @Test func withoutAnErrorTheTaskFailsWithCelerysMaxRetriesExceededError() {
        let error = #expect(throws: MaxRetriesExceeded.self) { try context(retries: 3).retry() }
        let failure = error?.failure
        #expect(failure?.type == "MaxRetriesExceededError")
        #expect(failure?.module == "celery.exceptions")
        #expect(failure?.message == ["Can't retry fix.add[t-1] args:(2, 3) kwargs:{}"])
    }

    @Test func aCallsMaxRetriesOverridesTheTasks() {
        #expect(throws: TaskRetry(countdown: 180, maxRetries: 5)) { try context(retries: 3).retry(maxRetries: 5) }
        #expect(throws: MaxRetriesExceeded.self) { try context(retries: 1).retry(maxRetries: 1) }
        #expect(throws: TaskRetry.self) { try context(retries: 500, options: TaskOptions(maxRetries: .unlimited)).retry() }
    }

    @Test func rejectAndIgnoreThrowCelerysPredicates() {
        #expect(throws: TaskReject(requeue: true, reason: nil)) { try context().reject(requeue: true) }
        #expect(throws: TaskIgnore()) { try context().ignore() }
    }

    @Test func updateStateGoesToTheReporter() async throws {
        let reporter = RecordingStateReporter()
        try await context(reporter: reporter).updateState("PROGRESS", meta: ["done": 3, "total": 10])
        struct Progress: Encodable { var done: Int }
        try await context(reporter: reporter).updateState(.started, meta: Progress(done: 0))
        let reports = await reporter.reports
        #expect(reports.count == 2)
        #expect(reports.first?.taskID == "t-1")
        #expect(reports.first?.state == TaskState("PROGRESS"))
        #expect(reports.first?.meta == ["done": 3, "total": 10])
        #expect(reports.last?.state == .started)
        #expect(reports.last?.meta == ["done": 0])
    }

    @Test func noStateReporterAcceptsEverything() async throws {
        try await context().updateState("PROGRESS")
    }
}
