import Foundation
import Testing

@testable import Celeriac

/// Every event Celery 5.7 put on the wire in the captures decodes, with its kind recognised.
@Suite struct EventFixtureTests {
    @Test func everyEventFixtureDecodes() throws {
        let messages = try EventFixtures.all()
        #expect(messages.count >= 40)
        var total = 0
        for message in messages {
            let events = try message.events()
            #expect(!events.isEmpty, "\(message.fileName) decoded to no events")
            total += events.count
        }
        #expect(total > 20)
    }

    @Test func everyKindCeleryEmitsIsRecognised() throws {
        var kinds: Set<CeleryEvent.Kind> = []
        for message in try EventFixtures.all() {
            for event in try message.events() {
                if case .other(let type) = event.kind {
                    Issue.record("\(message.fileName): type '\(type)' not recognised")
                }
                kinds.insert(event.kind)
            }
        }
        let expected: Set<CeleryEvent.Kind> = [
            .workerHeartbeat, .workerOnline, .workerOffline, .taskSent, .taskReceived,
            .taskStarted, .taskSucceeded, .taskFailed, .taskRetried, .taskRevoked,
        ]
        #expect(expected.isSubset(of: kinds), "missing: \(expected.subtracting(kinds))")
    }

    @Test func everyEventHasTheEnvelope() throws {
        for message in try EventFixtures.all() {
            for event in try message.events() {
                #expect(event.hostname != nil, "\(message.fileName)")
                #expect(event.timestamp != nil, "\(message.fileName)")
                #expect(event.utcoffset == 0, "\(message.fileName)")
                #expect(event.pid != nil, "\(message.fileName)")
                #expect(event.clock != nil, "\(message.fileName)")
                #expect(event.isTaskEvent != event.isWorkerEvent, "\(message.fileName)")
                if event.isTaskEvent { #expect(event.task != nil, "\(message.fileName): no uuid") }
                if event.isWorkerEvent { #expect(event.worker?.freq == 2.0, "\(message.fileName)") }
            }
        }
    }

    @Test func theHostnameHeaderNamesTheSender() throws {
        for message in try EventFixtures.all() {
            #expect(message.exchange == EventMessage.exchange)
            #expect(message.contentType == EventMessage.contentType)
            for event in try message.events() {
                #expect(message.headers["hostname"]?.stringValue == event.hostname, "\(message.fileName)")
            }
        }
    }

    @Test func singleEventsUseTheirTypeAsRoutingKeyAndTaskEventsFromWorkersAreBatched() throws {
        for message in try EventFixtures.all() {
            let events = try message.events()
            if message.routingKey == EventMessage.taskBatchRoutingKey {
                #expect(events.allSatisfy { $0.isTaskEvent }, "\(message.fileName)")
                #expect(events.allSatisfy { $0.kind != .taskSent }, "\(message.fileName): clients send task-sent alone")
            } else {
                #expect(events.count == 1, "\(message.fileName)")
                #expect(events.map { EventMessage.routingKey(forType: $0.type) } == [message.routingKey])
            }
        }
    }

    @Test func batchesCarrySeveralEvents() throws {
        let mixed = try EventFixtures.events("event-batch-task-received+task-started-1.json")
        #expect(mixed.map(\.kind) == [.taskReceived, .taskStarted, .taskStarted])
        #expect(mixed.map(\.clock) == [46, 47, 48])

        let pair = try EventFixtures.events("chord-phase-event-batch-task-started+task-succeeded-1.json")
        #expect(pair.map(\.kind) == [.taskStarted, .taskSucceeded])
        #expect(pair.map { $0.task?.uuid } == [
            "329cb6ef-d4a0-4afb-ad2f-7a1cc7bdb14d", "18773137-0dda-4d89-989d-a58855023f00",
        ])
    }

    @Test func aBatchOfOneIsStillAList() throws {
        // Celery's worker flushes its task buffer often, so most task.multi bodies hold one event.
        let message = try EventFixtures.load("event-batch-task-started-1.json")
        #expect(message.routingKey == "task.multi")
        #expect(message.body.first == UInt8(ascii: "["))
        #expect(try message.events().map(\.kind) == [.taskStarted])
    }
}
