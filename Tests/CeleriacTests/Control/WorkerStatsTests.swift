import Foundation
import Testing
@testable import Celeriac

@Suite struct WorkerStatsTests {
    static func capturedStats() throws -> WorkerStats {
        try WorkerStats(reply: PidboxReply(ControlFixture.load("control-reply-stats-1.json").brokerMessage).reply)
    }

    @Test func identityAndCounters() throws {
        let stats = try Self.capturedStats()
        #expect(stats.pid == 7710)
        #expect(stats.clock == 84)  // sent as the string "84"
        #expect(stats.uptime == 19)
        #expect(stats.prefetchCount == 12)
        #expect(stats.totalByTask == ["fix.add": 12, "fix.fail": 1, "fix.mul": 2, "fix.reject": 1,
                                      "fix.retry": 2, "fix.xsum": 1])
    }

    @Test func poolAndAutoscaler() throws {
        let stats = try Self.capturedStats()
        let pool = try #require(stats.pool)
        #expect(pool.implementation == "celery.concurrency.prefork:TaskPool")
        #expect(pool.maxConcurrency == 1)
        #expect(pool.processes == [7713, 7720, 7721])
        #expect(pool.maxTasksPerChild == nil)  // "N/A"
        #expect(pool.raw["max-tasks-per-child"] == "N/A")
        #expect(pool.raw["writes"]?["strategy"] == "fair")
        #expect(stats.autoscaler == AutoscalerStats(current: 3, max: 3, min: 1, qty: 0))
    }

    @Test func brokerAndUsage() throws {
        let stats = try Self.capturedStats()
        let broker = try #require(stats.broker)
        #expect(broker.hostname == "127.0.0.1")
        #expect(broker.port == 27672)
        #expect(broker.transport == "amqp")
        #expect(broker.virtualHost == "/")
        #expect(broker.userID == "guest")
        #expect(broker.heartbeat == 120.0)
        #expect(broker.ssl == false)
        #expect(broker.raw["failover_strategy"] == "round-robin")
        #expect(stats.rusage["maxrss"] == 45836)
        #expect(stats.rusage["stime"] == 0.093718)
        #expect(stats.raw["rusage"]?["nvcsw"] == 374)
    }

    @Test func statsWithoutAutoscalerOrOptionalSections() throws {
        let stats = try WorkerStats(reply: ["pid": 1, "clock": 5, "pool": ["max-concurrency": 4, "processes": [2, 3],
                                                                          "max-tasks-per-child": 100]])
        #expect(stats.clock == 5)
        #expect(stats.autoscaler == nil)
        #expect(stats.broker == nil)
        #expect(stats.pool?.maxTasksPerChild == 100)
        #expect(stats.totalByTask.isEmpty)
    }

    @Test func refusesRepliesThatAreNotStats() {
        #expect(throws: PidboxError.workerError("boom")) { try WorkerStats(reply: ["error": "boom"]) }
        #expect(throws: PidboxError.self) { try WorkerStats(reply: ["ok": "pong"]) }
        #expect(throws: PidboxError.self) { try WorkerStats(reply: []) }
    }
}
