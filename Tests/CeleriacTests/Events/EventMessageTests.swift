import Testing

@testable import Celeriac

@Suite struct EventMessageTests {
    @Test(arguments: [
        ("worker-heartbeat", "worker.heartbeat"), ("worker-online", "worker.online"),
        ("worker-offline", "worker.offline"), ("task-sent", "task.sent"), ("task-succeeded", "task.succeeded"),
        ("task-progress", "task.progress"), ("custom-my-event", "custom.my.event"),
    ])
    func routingKeyIsTheTypeWithDots(type: String, routingKey: String) {
        #expect(EventMessage.routingKey(forType: type) == routingKey)
    }

    @Test func batchRoutingKeyNamesTheGroup() {
        #expect(EventMessage.batchRoutingKey(forGroup: "task") == "task.multi")
        #expect(EventMessage.taskBatchRoutingKey == "task.multi")
    }

    @Test func oneEventGoesUnderItsOwnRoutingKeyWithTheSenderHeader() throws {
        let heartbeat = CeleryEvent(
            type: "worker-heartbeat", hostname: "celeriac@box", timestamp: 1795561651.8398614, utcoffset: 0,
            pid: 4242, clock: 3,
            fields: ["freq": 2.0, "sw_ident": "celeriac", "sw_ver": "0.1.0", "sw_sys": "Linux",
                     "active": 0, "processed": 0, "loadavg": [0.15, 0.29, 0.17]]
        )
        let message = EventMessage.encode([heartbeat])
        #expect(message.routingKey == "worker.heartbeat")
        #expect(message.headers == ["hostname": "celeriac@box"])
        #expect(try JSONValue(parsing: message.body) == .object(heartbeat.fields))
        let decoded = try EventMessage.decode(routingKey: message.routingKey, body: message.body, contentType: "application/json")
        #expect(decoded == [heartbeat])
    }

    @Test func severalTaskEventsGoAsATaskMultiList() throws {
        let events = [
            CeleryEvent(type: "task-received", hostname: "w1@h", clock: 5, fields: ["uuid": "u1", "name": "fix.add", "args": "(2, 3)"]),
            CeleryEvent(type: "task-started", hostname: "w1@h", clock: 6, fields: ["uuid": "u1"]),
            CeleryEvent(type: "task-succeeded", hostname: "w1@h", clock: 7, fields: ["uuid": "u1", "result": "5", "runtime": 0.001]),
        ]
        let message = EventMessage.encode(events)
        #expect(message.routingKey == "task.multi")
        #expect(message.headers["hostname"] == "w1@h")
        let body = try JSONValue(parsing: message.body)
        #expect(body.arrayValue?.count == 3)
        #expect(body[0]?["type"] == "task-received")
        let decoded = try EventMessage.decode(routingKey: message.routingKey, body: message.body, contentType: "application/json")
        #expect(decoded == events)
        #expect(decoded.map(\.kind) == [.taskReceived, .taskStarted, .taskSucceeded])
    }

    @Test func everyFixtureEventSurvivesEncodeAndDecode() throws {
        for fixture in try EventFixtures.all() {
            let events = try fixture.events()
            for event in events {
                let message = EventMessage.encode([event])
                #expect(message.routingKey == EventMessage.routingKey(forType: event.type))
                #expect(message.headers["hostname"] == fixture.headers["hostname"], "\(fixture.fileName)")
                let again = try EventMessage.decode(routingKey: message.routingKey, body: message.body, contentType: nil)
                #expect(again == [event], "\(fixture.fileName)")
            }
            if events.count > 1 {
                let batch = EventMessage.encode(events)
                #expect(batch.routingKey == fixture.routingKey, "\(fixture.fileName)")
                #expect(batch.body == fixture.body, "\(fixture.fileName): not byte-identical after a round trip")
                #expect(try EventMessage.decode(routingKey: batch.routingKey, body: batch.body, contentType: nil) == events)
            }
        }
    }

    @Test func anyRoutingKeyAcceptsAnObjectOrAList() throws {
        let object = Array(#"{"type": "worker-online", "hostname": "w@h"}"#.utf8)
        #expect(try EventMessage.decode(routingKey: "task.multi", body: object, contentType: nil).map(\.kind) == [.workerOnline])
        let list = Array(#"[{"type": "task-sent", "uuid": "a"}, {"type": "task-custom", "uuid": "b"}]"#.utf8)
        let events = try EventMessage.decode(routingKey: "task.sent", body: list, contentType: "application/json")
        #expect(events.map(\.kind) == [.taskSent, .other("task-custom")])
        #expect(try EventMessage.decode(routingKey: "task.multi", body: Array("[]".utf8), contentType: nil).isEmpty)
    }

    @Test func jsonContentTypesWithParametersAreAccepted() throws {
        let body = Array(#"{"type": "task-started", "uuid": "u"}"#.utf8)
        for contentType in ["application/json", "Application/JSON; charset=utf-8", "application/vnd.celeriac+json"] {
            #expect(try EventMessage.decode(routingKey: "task.started", body: body, contentType: contentType).count == 1)
        }
    }

    @Test func refusesAnotherContentTypeNamingIt() throws {
        let body = Array(#"{"type": "task-started"}"#.utf8)
        let expected = CeleryEventError.unsupportedContentType("application/x-python-serialize", routingKey: "task.started")
        #expect(throws: expected) {
            try EventMessage.decode(routingKey: "task.started", body: body, contentType: "application/x-python-serialize")
        }
        #expect(expected.description.contains("'application/x-python-serialize'"))
        #expect(expected.description.contains("'task.started'"))
    }

    @Test func refusesABodyThatIsNotJSON() throws {
        do {
            _ = try EventMessage.decode(routingKey: "worker.heartbeat", body: Array("{type".utf8), contentType: nil)
            Issue.record("decoded a body that is not JSON")
        } catch let error as CeleryEventError {
            guard case .invalidJSON(_, let routingKey) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(routingKey == "worker.heartbeat")
            #expect(error.description.hasPrefix("event message 'worker.heartbeat' is not valid JSON"))
        }
    }

    @Test func refusesABodyThatIsNeitherAnEventNorAList() {
        #expect(throws: CeleryEventError.invalidBody(found: "a string", routingKey: "task.sent")) {
            try EventMessage.decode(routingKey: "task.sent", body: Array(#""task-sent""#.utf8), contentType: nil)
        }
    }

    @Test func namesTheBadEntryOfABatch() {
        let body = Array(#"[{"type": "task-started", "uuid": "u"}, {"uuid": "v"}, 3]"#.utf8)
        #expect(throws: CeleryEventError.invalidEvent(routingKey: "task.multi", index: 1, reason: .missingType)) {
            try EventMessage.decode(routingKey: "task.multi", body: body, contentType: nil)
        }
        let single = Array(#"{"uuid": "v"}"#.utf8)
        #expect(throws: CeleryEventError.invalidEvent(routingKey: "task.sent", index: nil, reason: .missingType)) {
            try EventMessage.decode(routingKey: "task.sent", body: single, contentType: nil)
        }
    }

    @Test func anEmptyBatchEncodesAsAnEmptyTaskMulti() throws {
        let message = EventMessage.encode([])
        #expect(message.routingKey == "task.multi")
        #expect(message.headers.isEmpty)
        #expect(try JSONValue(parsing: message.body) == [])
    }
}
