import Testing

@testable import Celeriac

/// Values below are read from the captured Celery 5.7 messages in Tests/Fixtures/celery-amqp.
@Suite struct WorkerEventFieldsTests {
    @Test func heartbeat() throws {
        let event = try EventFixtures.event("event-worker-heartbeat-1.json")
        let worker = try #require(event.worker)
        #expect(event.kind == .workerHeartbeat)
        #expect(worker.freq == 2.0)
        #expect(worker.swIdent == "py-celery")
        #expect(worker.swVer == "5.7.0")
        #expect(worker.swSys == "Linux")
        #expect(worker.active == 0)
        #expect(worker.processed == 0)
        #expect(worker.loadavg == [0.15, 0.29, 0.17])
        #expect(event.clock == 2)
        #expect(event.pid == 7710)
    }

    @Test func onlineAndOfflineCarryTheSameFields() throws {
        let online = try #require(try EventFixtures.event("event-worker-online-1.json").worker)
        #expect(online.loadavg == [0.17, 0.3, 0.17])
        #expect(online.processed == 0)

        let offline = try #require(try EventFixtures.event("event-worker-offline-1.json").worker)
        #expect(offline.processed == 20)
        #expect(offline.loadavg == [0.15, 0.26, 0.17])
        #expect(Set(online.fields.keys) == Set(offline.fields.keys))
    }

    @Test func processedCountsUpAcrossHeartbeats() throws {
        let later = try #require(try EventFixtures.event("event-worker-heartbeat-3.json").worker)
        #expect(later.processed == 2)
    }

    @Test func malformedValuesReadAsNil() throws {
        let event = try CeleryEvent([
            "type": "worker-heartbeat", "freq": "2", "loadavg": [0.1, "high", 0.3], "active": 1.5,
        ])
        let worker = try #require(event.worker)
        #expect(worker.freq == nil)
        #expect(worker.loadavg == nil)
        #expect(worker.active == nil)
        #expect(worker.swIdent == nil)
    }
}
