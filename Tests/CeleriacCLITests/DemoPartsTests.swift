import Celeriac
@testable import CeleriacCLI
import Foundation
import Testing

/// The demo's pieces that decide what it does: the task mix, the bursts, the workers it
/// starts, how it reads the broker's ports, and how it counts what it saw.
@Suite("celeriac demo: its parts")
struct DemoPartsTests {
    /// A seeded generator, so a failing draw can be reproduced.
    struct SplitMix64: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test func theMixSendsEveryKindOfTaskAndRoutesCPUWorkToThePreforkQueue() {
        var random: any RandomNumberGenerator = SplitMix64(state: 42)
        let calls = (0..<5000).map { _ in DemoTaskMix.next(using: &random) }
        let names = Set(calls.map(\.name))
        #expect(names == ["demo.add", "demo.mul", "demo.xsum", "demo.noop", "demo.fib", "demo.sleep", "demo.fail",
                          "demo.flaky", "demo.progress", "chain", "chord"])
        #expect(calls.filter { ["chain", "chord"].contains($0.name) }.allSatisfy { $0.workflow != nil })
        #expect(calls.filter { $0.workflow != nil }.allSatisfy { (try? CanvasPlanner.plan($0.workflow!, replyTo: nil)) != nil },
                "every workflow plans")
        #expect(calls.filter { $0.name == "demo.fib" }.allSatisfy { $0.options.queue == DemoTaskMix.cpuQueue })
        #expect(calls.filter { $0.name != "demo.fib" }.allSatisfy { $0.options.queue == nil })
        let delayed = calls.filter { $0.options.countdown != nil }
        #expect(delayed.count > 250, "about one in seven waits for a countdown")
        let expiring = calls.filter { $0.options.expires != nil }
        #expect(!expiring.isEmpty)
        for call in expiring {
            let expiresIn = call.options.expires!.timeIntervalSinceNow
            #expect(call.options.countdown! > expiresIn + 1, "due after it expires, so the worker revokes it")
        }
    }

    @Test func theOpeningSendsOneOfEachKindBeforeChanceTakesOver() {
        var random: any RandomNumberGenerator = SplitMix64(state: 1)
        let opening = DemoTaskMix.opening(using: &random)
        #expect(Set(opening.map(\.name)).count == 11, "nine kinds of task, a chain and a chord")
        #expect(opening.contains { $0.options.expires != nil }, "an expiring task, so REVOKED shows early")
        #expect(opening.contains { $0.name == "demo.flaky" } && opening.contains { $0.name == "demo.progress" })
    }

    @Test func burstsComeAfterTwelveSecondsAndEveryThirtyAfterThat() {
        #expect(!DemoTaskMix.burstDue(previousElapsed: 10.5, elapsed: 11.9))
        #expect(DemoTaskMix.burstDue(previousElapsed: 11.9, elapsed: 12.1))
        #expect(!DemoTaskMix.burstDue(previousElapsed: 12.1, elapsed: 13.1))
        #expect(!DemoTaskMix.burstDue(previousElapsed: 40.9, elapsed: 41.9))
        #expect(DemoTaskMix.burstDue(previousElapsed: 41.9, elapsed: 42.2))
        #expect(DemoTaskMix.burstDue(previousElapsed: 0, elapsed: 80), "a stalled producer still bursts")
        var random: any RandomNumberGenerator = SplitMix64(state: 7)
        let burst = DemoTaskMix.burst(using: &random)
        #expect(burst.count == DemoTaskMix.burstSize)
        #expect(burst.allSatisfy { $0.name == "demo.sleep" && $0.options.queue == DemoTaskMix.cpuQueue })
    }

    @Test func theFirstWorkerIsPreforkWithAnAutoscalerAndTheSecondAsync() {
        let plans = DemoWorkerPlan.plans(count: 3)
        #expect(plans.map(\.nodeName) == ["demo-prefork@%h", "demo-async@%h", "demo-prefork-2@%h"])
        let prefork = plans[0].arguments(brokerURL: "amqp://b//", logFile: "/tmp/p.log")
        #expect(prefork.starts(with: ["-A", "demo", "-b", "amqp://b//", "-E", "-n", "demo-prefork@%h", "-P", "prefork"]))
        #expect(prefork.contains("--autoscale") && prefork.contains("6,2"))
        #expect(prefork.contains("celery,demo.cpu"))
        #expect(plans[1].arguments(brokerURL: "amqp://b//", logFile: "/tmp/a.log").contains("async"))
        #expect(!plans[1].queues.contains(DemoTaskMix.cpuQueue), "CPU work and bursts go to the prefork pool")
    }

    @Test func theBrokersPortsAreReadFromItsLogLines() {
        #expect(EmbeddedBroker.port(after: "amqp://", in: "… accepting AMQP 0-9-1 connections on amqp://127.0.0.1:40321 (vhosts: /)") == 40321)
        #expect(EmbeddedBroker.port(after: "http://", in: "… management API on http://127.0.0.1:40322/api/") == 40322)
        #expect(EmbeddedBroker.port(after: "amqp://", in: "accepting AMQP 0-9-1 connections on amqp://[::1]:5672 (vhosts: /)") == 5672)
        #expect(EmbeddedBroker.port(after: "amqp://", in: "no url here") == nil)
        #expect(EmbeddedBroker.port(after: "amqp://", in: "amqp://host-without-port/") == nil)
    }

    @Test func theTallyCountsTasksPerStateWorkersPoolsAndWaits() throws {
        var tally = DemoTally()
        func event(_ fields: [String: JSONValue]) throws -> CeleryEvent { try CeleryEvent(fields: fields) }
        try tally.record(event(["type": "worker-online", "hostname": "demo-prefork@h", "timestamp": 1]))
        for (index, id) in ["a", "b", "c"].enumerated() {
            try tally.record(event(["type": "task-sent", "uuid": .string(id), "hostname": "gen1@h", "timestamp": .double(10 + Double(index))]))
        }
        try tally.record(event(["type": "task-started", "uuid": "a", "hostname": "demo-prefork@h", "timestamp": 10.02]))
        try tally.record(event(["type": "task-retried", "uuid": "a", "hostname": "demo-prefork@h", "timestamp": 10.03]))
        try tally.record(event(["type": "task-started", "uuid": "a", "hostname": "demo-prefork@h", "timestamp": 12]))
        try tally.record(event(["type": "task-succeeded", "uuid": "a", "hostname": "demo-prefork@h", "timestamp": 12.1]))
        try tally.record(event(["type": "task-started", "uuid": "b", "hostname": "demo-async@h", "timestamp": 11.5]))
        try tally.record(event(["type": "task-progress", "uuid": "b", "hostname": "demo-async@h", "state": "PROGRESS", "timestamp": 11.6]))
        try tally.record(event(["type": "task-progress", "uuid": "b", "hostname": "demo-async@h", "state": "PROGRESS", "timestamp": 11.7]))
        try tally.record(event(["type": "task-failed", "uuid": "b", "hostname": "demo-async@h", "timestamp": 11.8]))
        try tally.record(event(["type": "task-revoked", "uuid": "c", "hostname": "demo-async@h", "timestamp": 13]))
        try tally.record(event(["type": "worker-offline", "hostname": "demo-prefork@h", "timestamp": 20]))
        for processes in [[1, 2], [1, 2, 3, 4], [1, 2, 3]] {
            let stats = try WorkerStats(reply: ["pid": 9, "pool": ["implementation": "celeriac.concurrency.prefork:TaskPool",
                                                                   "max-concurrency": 6, "processes": .array(processes.map(JSONValue.int))]])
            tally.record(stats: stats, of: "demo-prefork@h")
        }

        #expect(tally.sent == 3)
        #expect(tally.count("SUCCESS") == 1 && tally.count("FAILURE") == 1 && tally.count("RETRY") == 1)
        #expect(tally.count("REVOKED") == 1)
        #expect(tally.count("PROGRESS") == 1, "distinct tasks, not events")
        #expect(tally.customStates == ["PROGRESS"])
        #expect(tally.waits.count == 2)
        #expect(abs(tally.waits[0] - 0.02) < 1e-9, "from task-sent to the first task-started, retries aside")
        #expect(tally.onlineWorkers == tally.offlineWorkers)
        let summary = tally.summary(seconds: 20, broker: "amqp://127.0.0.1:1//")
        #expect(summary.contains("tasks sent            3"))
        #expect(summary.contains("PROGRESS              1"))
        #expect(summary.contains("demo-prefork@h        2 tasks run, prefork pool of 2–4"))
        #expect(summary.contains("demo-async@h          1 tasks run"))
        #expect(summary.contains("p50 "))
    }
}
