@testable import Celeriac
@testable import CeleriacMonitor
import Foundation
import Testing

@Suite struct ClusterStateTests {
    func event(_ type: String, _ uuid: String, at timestamp: Double, host: String = "w1@host",
               _ fields: [String: JSONValue] = [:]) -> CeleryEvent {
        CeleryEvent(type: type, hostname: host, timestamp: timestamp, fields: fields.merging(["uuid": .string(uuid)]) { a, _ in a })
    }

    @Test func aTaskWalksItsStates() {
        var state = ClusterState()
        state.apply(event("task-sent", "t1", at: 1, host: "client", ["name": "fix.add", "args": "(2, 3)", "queue": "celery"]))
        #expect(state.tasks["t1"]?.state == .pending)
        #expect(state.tasks["t1"]?.worker == nil)
        state.apply(event("task-received", "t1", at: 2, ["name": "fix.add", "args": "(2, 3)", "retries": 0]))
        state.apply(event("task-started", "t1", at: 3))
        state.apply(event("task-succeeded", "t1", at: 4, ["result": "5", "runtime": 0.5]))
        let task = state.tasks["t1"]
        #expect(task?.state == .success)
        #expect(task?.result == "5")
        #expect(task?.runtime == 0.5)
        #expect(task?.name == "fix.add")
        #expect(task?.queue == "celery")
        #expect(task?.worker == "w1@host")
        #expect(task?.timeline.map(\.type) == ["task-sent", "task-received", "task-started", "task-succeeded"])
        #expect(state.countsByState == [.pending: 0, .received: 0, .started: 0, .success: 1])
    }

    @Test func outOfOrderEventsNeverMoveAReadyTaskBack() {
        var state = ClusterState()
        state.apply(event("task-succeeded", "t1", at: 4, ["result": "5"]))
        state.apply(event("task-started", "t1", at: 3))
        state.apply(event("task-received", "t1", at: 2, ["name": "fix.add", "args": "(2, 3)"]))
        let task = state.tasks["t1"]
        #expect(task?.state == .success)
        #expect(task?.name == "fix.add")  // RECEIVED's fields are still taken
        #expect(task?.args == "(2, 3)")
        #expect(task?.timestamp == 4)
        #expect(state.countsByState[.success] == 1)
    }

    @Test func duplicatesChangeNothingButTheTimeline() {
        var state = ClusterState()
        for _ in 0..<3 { state.apply(event("task-failed", "t1", at: 5, ["exception": "ValueError('x')"])) }
        #expect(state.tasks["t1"]?.state == .failure)
        #expect(state.countsByState[.failure] == 1)
    }

    @Test func retryAlwaysMovesAndProgressIsACustomState() {
        var state = ClusterState()
        state.apply(event("task-started", "t1", at: 1))
        state.apply(event("task-retried", "t1", at: 2, ["exception": "Retry()"]))
        #expect(state.tasks["t1"]?.state == .retry)
        state.apply(event("task-started", "t1", at: 3))
        #expect(state.tasks["t1"]?.state == .started)
        state.apply(event("task-progress", "t1", at: 4, ["state": "PROGRESS", "meta": ["done": 3]]))
        #expect(state.tasks["t1"]?.state == "PROGRESS")
        #expect(state.tasks["t1"]?.meta == ["done": 3])
        state.apply(event("task-succeeded", "t1", at: 5))
        state.apply(event("task-progress", "t1", at: 4.5, ["state": "PROGRESS"]))
        #expect(state.tasks["t1"]?.state == .success)
    }

    @Test func workersLiveByHeartbeatAndDieByOfflineOrSilence() {
        var state = ClusterState()
        let online = CeleryEvent(type: "worker-online", hostname: "w1", timestamp: 100, fields: ["freq": 2.0])
        state.apply(online)
        #expect(state.workers["w1"]?.isAlive(at: 103) == true)
        #expect(state.workers["w1"]?.isAlive(at: 104.5) == false)  // 2 × freq without a heartbeat
        state.apply(CeleryEvent(type: "worker-heartbeat", hostname: "w1", timestamp: 104,
                                fields: ["freq": 2.0, "active": 1, "processed": 7, "loadavg": [0.5, 0.2, 0.1]]))
        #expect(state.workers["w1"]?.isAlive(at: 104.5) == true)
        #expect(state.workers["w1"]?.processed == 7)
        state.apply(CeleryEvent(type: "worker-heartbeat", hostname: "w1", timestamp: 90, fields: ["freq": 2.0]))
        #expect(state.workers["w1"]?.lastHeartbeat == 104)  // a late heartbeat does not rewind
        state.apply(CeleryEvent(type: "worker-offline", hostname: "w1", timestamp: 105))
        #expect(state.workers["w1"]?.isAlive(at: 105) == false)
        #expect(state.aliveWorkers(at: 105).isEmpty)
    }

    @Test func theBoundDropsTheOldestFinishedTasksFirst() {
        var state = ClusterState(maximumTasks: 100)
        state.apply(event("task-started", "running-0", at: 0))  // oldest, but not finished
        for index in 1...300 { state.apply(event("task-succeeded", "done-\(index)", at: Double(index))) }
        #expect(state.tasks.count == 100)
        #expect(state.tasks["running-0"] != nil)
        #expect(state.tasks["done-300"] != nil)
        #expect(state.tasks["done-1"] == nil)
        #expect(state.countsByState[.success] == 99)
        #expect(state.countsByState.values.reduce(0, +) == 100)
    }

    /// Twenty times the bound passes through. (A million events took two minutes of a core in
    /// the debug build while the other tests ran, and slowed them into their time limits; the
    /// bench monitor command drives a million through the release build.)
    @Test func manyTimesTheBoundKeepsMemoryFlat() async {
        let state = await onOwnThread { [self] in
            var state = ClusterState(maximumTasks: 10_000)
            for index in 0..<400_000 {
                state.apply(event(index % 2 == 0 ? "task-received" : "task-succeeded", "t\(index / 2)", at: Double(index)))
            }
            return state
        }
        #expect(state.tasks.count == 10_000)
        #expect(state.countsByState.values.reduce(0, +) == 10_000)
        #expect(state.eventCount == 400_000)
    }

    @Test func everyCapturedEventReplays() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/celery-amqp")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.contains("event-") && $0.hasSuffix(".json") }.sorted()
        var state = ClusterState()
        var applied = 0
        for name in names {
            let file = try JSONValue(parsing: Data(contentsOf: directory.appendingPathComponent(name)))
            let body = try #require(file["body"])
            for event in try EventMessage.decode(routingKey: file["routing_key"]?.stringValue ?? "",
                                                 body: body.serializedBytes, contentType: "application/json") {
                state.apply(event)
                applied += 1
            }
        }
        #expect(applied >= 40)
        #expect(state.workers.keys.contains("fixw@vm"))
        #expect(state.countsByState[.success, default: 0] > 0)
        #expect(state.countsByState[.failure, default: 0] > 0)
        #expect(state.countsByState[.revoked, default: 0] > 0)
        #expect(state.tasks.values.contains { $0.name == "fix.add" && $0.state == .success })
    }
}

@Suite struct DerivedFiguresTests {
    @Test func ratesCountTransitionsPerSecondWithinTheWindow() {
        var rates = StateRates(window: 60)
        for second in 0..<10 { for _ in 0..<3 { rates.record(.success, at: 1000 + Double(second) + 0.5) } }
        rates.record(.failure, at: 1009.1)
        #expect(rates.rate(of: .success, over: 10, now: 1009.9) == 3)
        #expect(rates.rate(of: .failure, over: 10, now: 1009.9) == 0.1)
        #expect(rates.series(of: .success, seconds: 3, now: 1011) == [3, 0, 0])
        // A minute later the old buckets no longer count.
        #expect(rates.rate(of: .success, over: 60, now: 1080) == 0)
    }

    @Test func perNameStatsFollowTheState() {
        var state = ClusterState()
        for index in 0..<100 {
            let id = "t\(index)"
            state.apply(CeleryEvent(type: "task-received", hostname: "w", timestamp: Double(index),
                                    fields: ["uuid": .string(id), "name": "fix.add"]))
            let type = index % 10 == 0 ? "task-failed" : "task-succeeded"
            state.apply(CeleryEvent(type: type, hostname: "w", timestamp: Double(index) + 0.5,
                                    fields: ["uuid": .string(id), "runtime": .double(Double(index) / 100)]))
        }
        let stats = state.statsByName["fix.add"]
        #expect(stats?.finished == 100)
        #expect(stats?.failures == 10)
        #expect(stats?.runtimePercentile(0.5) == 0.5)
        #expect(stats?.runtimePercentile(0.95) == 0.94)
        #expect(state.rates.rate(of: .success, over: 100, now: 99.9) == 0.9)
    }
}
