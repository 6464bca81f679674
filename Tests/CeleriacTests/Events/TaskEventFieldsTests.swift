import Testing

@testable import Celeriac

/// Values below are read from the captured Celery 5.7 messages in Tests/Fixtures/celery-amqp.
@Suite struct TaskEventFieldsTests {
    @Test func taskSentFromAClient() throws {
        let task = try #require(try EventFixtures.event("event-task-sent-1.json").task)
        #expect(task.uuid == "a6af2e67-958f-4e0e-85da-b825d9c17dbc")
        #expect(task.name == "fix.add")
        #expect(task.args == "(2, 3)")  // a Python repr, not a JSON list
        #expect(task.kwargs == "{}")
        #expect(task.retries == 0)
        #expect(task.eta == nil)
        #expect(task.expires == nil)
        #expect(task.queue == "celery")
        #expect(task.exchange == "")  // published through the default exchange
        #expect(task.routingKey == "celery")
        #expect(task.rootID == "a6af2e67-958f-4e0e-85da-b825d9c17dbc")
        #expect(task.parentID == nil)
        #expect(task.fields["parent_id"] == .null)
    }

    @Test func taskSentWithACountdownHasAnISOEta() throws {
        let task = try #require(try EventFixtures.event("event-task-sent-3.json").task)
        #expect(task.eta == "2026-11-24T23:07:36.716532+00:00")
        #expect(task.args == "(1, 1)")
    }

    @Test func taskSentForAChordBodyNamesItsParent() throws {
        let task = try #require(try EventFixtures.event("chord-phase-event-task-sent-3.json").task)
        #expect(task.name == "fix.xsum")
        #expect(task.args == "([2, 4],)")
        #expect(task.parentID == "18773137-0dda-4d89-989d-a58855023f00")
        #expect(task.rootID == "18773137-0dda-4d89-989d-a58855023f00")
    }

    @Test func taskReceivedWithKeywordArguments() throws {
        let event = try EventFixtures.event("event-batch-task-received-2.json")
        let task = try #require(event.task)
        #expect(event.kind == .taskReceived)
        #expect(task.uuid == "06f6a0ee-3ebb-4449-92e1-663263b6ea5b")
        #expect(task.args == "()")
        #expect(task.kwargs == "{'x': 1, 'y': 2}")
        #expect(task.queue == nil)  // the worker does not repeat the routing
    }

    @Test func taskSucceeded() throws {
        let task = try #require(try EventFixtures.event("event-batch-task-succeeded-1.json").task)
        #expect(task.uuid == "a6af2e67-958f-4e0e-85da-b825d9c17dbc")
        #expect(task.result == "5")
        #expect(task.runtime == 0.00783548799881828)
        #expect(task.name == nil)
    }

    @Test func taskFailedCarriesTheReprAndTraceback() throws {
        let task = try #require(try EventFixtures.event("event-batch-task-failed-1.json").task)
        #expect(task.uuid == "c313d4da-24b1-44f0-94f7-42dff873d618")
        #expect(task.exception == "ValueError('boom \u{2717}')")
        let traceback = try #require(task.traceback)
        #expect(traceback.hasPrefix("Traceback (most recent call last):\n"))
        #expect(traceback.hasSuffix("ValueError: boom \u{2717}\n"))
    }

    @Test func aRejectedTaskIsReportedAsFailedByCelery() throws {
        // Reject(requeue=False) from the task body: Celery 5.7 sent task-failed, no task-rejected.
        let event = try EventFixtures.event("event-batch-task-failed-2.json")
        #expect(event.kind == .taskFailed)
        #expect(event.task?.exception == "reject requeue=False: rejected on purpose")
        #expect(event.task?.requeue == nil)
    }

    @Test func taskRetried() throws {
        let event = try EventFixtures.event("event-batch-task-retried-1.json")
        #expect(event.kind == .taskRetried)
        #expect(event.task?.uuid == "82e140ad-5fa4-47a3-b0a6-97b6b76a1a23")
        #expect(event.task?.exception == "RuntimeError('try again')")
        #expect(event.task?.traceback?.contains("celery.exceptions.Retry: Retry in 1s") == true)
    }

    @Test func taskRevokedBecauseItExpired() throws {
        let task = try #require(try EventFixtures.event("event-batch-task-revoked-1.json").task)
        #expect(task.expired == true)
        #expect(task.terminated == false)
        #expect(task.signum == nil)
        #expect(task.fields["signum"] == .null)
    }

    @Test func taskRevokedByTerminate() throws {
        let task = try #require(try EventFixtures.event("event-batch-task-revoked-2.json").task)
        #expect(task.uuid == "2a3862e5-0316-4587-a4eb-14938ae02e72")
        #expect(task.expired == false)
        #expect(task.terminated == true)
        #expect(task.signum == 15)
    }

    @Test func taskRejectedAndTaskProgressAsCeleriacSendsThem() throws {
        let rejected = CeleryEvent(type: "task-rejected", hostname: "w@h", fields: ["uuid": "u1", "requeue": true])
        #expect(rejected.task?.requeue == true)

        let progress = CeleryEvent(
            type: "task-progress", hostname: "w@h",
            fields: ["uuid": "u2", "state": "PROGRESS", "meta": ["current": 3, "total": 10]]
        )
        #expect(progress.kind == .taskProgress)
        #expect(progress.task?.state == "PROGRESS")
        #expect(progress.task?.meta?["total"] == 10)
    }

    @Test func aTaskEventWithoutUUIDHasNoTaskView() throws {
        #expect(try CeleryEvent(["type": "task-started", "hostname": "w@h"]).task == nil)
        #expect(try CeleryEvent(["type": "task-started", "uuid": 7]).task == nil)
    }
}
