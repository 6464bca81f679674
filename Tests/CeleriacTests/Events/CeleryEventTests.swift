import Testing

@testable import Celeriac

@Suite struct CeleryEventTests {
    @Test func readsTheEnvelopeOfACapturedTaskSentEvent() throws {
        let event = try EventFixtures.event("event-task-sent-1.json")
        #expect(event.type == "task-sent")
        #expect(event.kind == .taskSent)
        #expect(event.group == "task")
        #expect(event.isTaskEvent)
        #expect(!event.isWorkerEvent)
        #expect(event.hostname == "gen7718@vm")
        #expect(event.timestamp == 1795561654.7025964)
        #expect(event.utcoffset == 0)
        #expect(event["utcoffset"] == .double(0.0))  // Celery 5.7 sends a float
        #expect(event.pid == 7718)
        #expect(event.clock == 1)
        #expect(event.worker == nil)
    }

    @Test func readsTheEnvelopeOfACapturedWorkerEvent() throws {
        let event = try EventFixtures.event("event-worker-offline-1.json")
        #expect(event.kind == .workerOffline)
        #expect(event.group == "worker")
        #expect(event.isWorkerEvent)
        #expect(!event.isTaskEvent)
        #expect(event.hostname == "fixw@vm")
        #expect(event.timestamp == 1795561703.5721183)
        #expect(event.pid == 7710)
        #expect(event.clock == 139)
        #expect(event.task == nil)
    }

    static let kindsByType: [(String, CeleryEvent.Kind)] = [
        ("worker-online", .workerOnline), ("worker-heartbeat", .workerHeartbeat),
        ("worker-offline", .workerOffline), ("task-sent", .taskSent), ("task-received", .taskReceived),
        ("task-started", .taskStarted), ("task-succeeded", .taskSucceeded), ("task-failed", .taskFailed),
        ("task-retried", .taskRetried), ("task-revoked", .taskRevoked), ("task-rejected", .taskRejected),
        ("task-progress", .taskProgress), ("task-custom", .other("task-custom")),
    ]

    @Test(arguments: CeleryEventTests.kindsByType)
    func kindMapsToAndFromItsTypeName(type: String, kind: CeleryEvent.Kind) {
        #expect(CeleryEvent.Kind(type: type) == kind)
        #expect(kind.type == type)
    }

    @Test func anUnknownTaskEventIsKeptWithAllItsFields() throws {
        let value: JSONValue = [
            "type": "task-custom", "uuid": "c0ffee", "hostname": "w1@host", "clock": 7,
            "timestamp": 1.5, "colour": "green", "detail": ["depth": [1, 2, 3]],
        ]
        let event = try CeleryEvent(value)
        #expect(event.kind == .other("task-custom"))
        #expect(event.isTaskEvent)
        #expect(event.task?.uuid == "c0ffee")
        #expect(event["colour"] == "green")
        #expect(event["detail"] == JSONValue.object(["depth": [1, 2, 3]]))
        #expect(JSONValue.object(event.fields) == value)
    }

    @Test func unknownFieldsOnAKnownTypeSurvive() throws {
        let event = try CeleryEvent(["type": "worker-heartbeat", "hostname": "w@h", "x-celeriac-queues": ["a"]])
        #expect(event.kind == .workerHeartbeat)
        #expect(event["x-celeriac-queues"] == ["a"])
    }

    @Test func anEventOfAnotherGroupIsNeitherTaskNorWorker() throws {
        let event = try CeleryEvent(["type": "scheduler-tick"])
        #expect(event.group == "scheduler")
        #expect(!event.isTaskEvent && !event.isWorkerEvent)
        #expect(event.task == nil && event.worker == nil)
        #expect(event.hostname == nil && event.timestamp == nil && event.clock == nil)
    }

    @Test func builderFillsTheEnvelopeOnlyWhenGiven() {
        let bare = CeleryEvent(type: "task-started", hostname: "w1@h", fields: ["uuid": "u1"])
        #expect(bare.fields == ["type": "task-started", "hostname": "w1@h", "uuid": "u1"])

        let full = CeleryEvent(
            type: "task-succeeded", hostname: "w1@h", timestamp: 1795561654.5, utcoffset: -1, pid: 42, clock: 9,
            fields: ["uuid": "u1", "result": "5", "runtime": 0.25, "type": "ignored", "hostname": "ignored"]
        )
        #expect(full.kind == .taskSucceeded)
        #expect(full.hostname == "w1@h")
        #expect(full.timestamp == 1795561654.5)
        #expect(full.utcoffset == -1)
        #expect(full.pid == 42)
        #expect(full.clock == 9)
        #expect(full.task?.result == "5")
        #expect(full.task?.runtime == 0.25)
    }

    @Test func utcoffsetReadsIntsWholeFloatsAndFloorsFractions() throws {
        #expect(try CeleryEvent(["type": "t", "utcoffset": 2]).utcoffset == 2)
        #expect(try CeleryEvent(["type": "t", "utcoffset": -3.0]).utcoffset == -3)
        #expect(try CeleryEvent(["type": "t", "utcoffset": -5.5]).utcoffset == -6)
        #expect(try CeleryEvent(["type": "t", "utcoffset": "UTC"]).utcoffset == nil)
        #expect(try CeleryEvent(["type": "t", "clock": .null]).clock == nil)
    }

    @Test func refusesANonObject() {
        #expect(throws: CeleryEventError.notAnObject(found: "a list")) {
            try CeleryEvent([["type": "task-sent"]])
        }
        #expect(throws: CeleryEventError.notAnObject(found: "a string")) {
            try CeleryEvent("task-sent")
        }
    }

    @Test func refusesAMissingOrInvalidType() {
        #expect(throws: CeleryEventError.missingType) {
            try CeleryEvent(["hostname": "w@h", "uuid": "u1"])
        }
        #expect(throws: CeleryEventError.invalidType(found: "a number")) {
            try CeleryEvent(["type": 3])
        }
        #expect(throws: CeleryEventError.invalidType(found: "an empty string")) {
            try CeleryEvent(fields: ["type": ""])
        }
    }

    @Test func errorsReadAsSentences() {
        #expect(CeleryEventError.missingType.description.contains("no 'type' field"))
        #expect(CeleryEventError.notAnObject(found: "a list").description.contains("this one is a list"))
        let nested = CeleryEventError.invalidEvent(routingKey: "task.multi", index: 2, reason: .missingType)
        #expect(nested.description.hasPrefix("event #2 of message 'task.multi': "))
        #expect(nested.description.contains("no 'type' field"))
    }
}
