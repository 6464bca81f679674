@testable import Celeriac
import Foundation
import Testing

/// Tasks sent from Swift run on a real Python Celery 5.7 worker, and their results come back
/// through rpc:// — the proof that our messages are Celery's.
@Suite("Swift client → Python Celery worker", .serialized,
       .enabled(if: Peers.hasRabbitMQ && Peers.hasPythonCelery), .timeLimit(.minutes(2)))
struct PythonCeleryInteropTests {
    let app = App(Peers.configuration())

    init() async throws {
        try await PythonCeleryWorker.shared.ensureRunning()
    }

    @Test func argsAndKwargs() async throws {
        let sum = try await app.send("fix.add", args: [2, 3]).get(Int.self, timeout: 20)
        #expect(sum == 5)
        let product = try await app.send("fix.mul", kwargs: ["x": 6, "y": 7]).get(Int.self, timeout: 20)
        #expect(product == 42)
        let total = try await app.send("fix.xsum", args: [[1, 2, 3, 4]]).get(Int.self, timeout: 20)
        #expect(total == 10)
    }

    /// A task declared in Swift with typed arguments, sent to the Python task of the same name.
    @Test func aTypedSwiftDefinitionCallsThePythonTask() async throws {
        struct Add: Codable, Sendable { var x: Int; var y: Int }
        let add = try app.register(TaskDefinition<Add, Int>("fix.add", argumentNames: ["x", "y"]) { _, a in a.x + a.y })
        #expect(app.tasks.names.contains("fix.add"))
        let result = try await add.delay(Add(x: 20, y: 22), on: app)
        #expect(try await result.get(Int.self, timeout: 20) == 42)
    }

    @Test func headersAndPropertiesArriveAsCeleryReadsThem() async throws {
        let echoed = try await app.send("fix.echo_request", args: ["ü", 1.5, .null], kwargs: ["big": .int(1 << 40)],
                                        options: TaskSendOptions(queue: "fixq", priority: 9)).get(timeout: 20)
        #expect(echoed["args"] == ["ü", 1.5, .null])
        #expect(echoed["kwargs"] == ["big": .int(1 << 40)])
        #expect(echoed["priority"] == 9)
        #expect(echoed["routing_key"] == "fixq")
        #expect(echoed["retries"] == 0)
    }

    @Test func countdownDelaysAndStillRuns() async throws {
        let sent = Date()
        let result = try await app.send("fix.echo_request", args: [1], options: TaskSendOptions(countdown: 1.5))
        let echoed = try await result.get(timeout: 20)
        #expect(Date().timeIntervalSince(sent) >= 1.4)
        #expect(echoed["eta"]?.stringValue != nil)
    }

    @Test func aPythonExceptionComesBackAsCeleryError() async throws {
        let result = try await app.send("fix.fail", args: ["boom ✗"])
        do {
            _ = try await result.get(timeout: 20)
            Issue.record("a failing task returned a value")
        } catch let error as CeleryError {
            #expect(error.type == "ValueError")
            #expect(error.module == "builtins")
            #expect(error.message == ["boom ✗"])
            #expect(error.traceback?.contains("ValueError") == true)
        }
        #expect(try await result.state() == .failure)
    }

    /// The worker receives it at once, holds it for the countdown, and by then it has expired:
    /// Celery revokes it (result REVOKED).
    @Test func aTaskThatExpiresWhileTheWorkerHoldsItIsRevoked() async throws {
        let result = try await app.send("fix.add", args: [1, 1],
                                        options: TaskSendOptions(countdown: 2, expires: Date().addingTimeInterval(1)))
        let meta = try await result.wait(timeout: 20)
        #expect(meta.status == .revoked)
        await #expect(throws: ResultError.revoked(taskID: result.id)) { try await result.get(timeout: 1) }
    }

    /// Nobody consumes this queue: RabbitMQ's per-message TTL drops the task unseen, and its
    /// result stays PENDING, as with Celery.
    @Test func aTaskThatExpiresInTheQueueIsDroppedByTheBroker() async throws {
        let queue = "nobody-\(UUID().uuidString.prefix(8))"
        // Before the expiry is set: the TTL counts from there, and a loaded machine may take
        // tens of milliseconds to send (CI once took 60 ms, and the drop then looked early).
        let sent = ContinuousClock.now
        let result = try await app.send("fix.add", args: [1, 1],
                                        options: TaskSendOptions(expires: Date().addingTimeInterval(0.3), queue: queue))
        let transport = try await app.transport()
        // The broker drops it once its TTL has passed, on its own timer, which a loaded machine
        // runs late (CI once still counted it 0.6 s after sending): asked until it is gone.
        var counts = try await transport.declare(QueueDeclaration.taskQueue(queue, maxPriority: 10))
        while counts.messages > 0, ContinuousClock.now - sent < .seconds(10) {
            try await Task.sleep(for: .milliseconds(100))  // polling the broker's count: it sends no event for an expiry
            counts = try await transport.declare(QueueDeclaration.taskQueue(queue, maxPriority: 10))
        }
        #expect(counts.messages == 0)
        #expect(ContinuousClock.now - sent >= .milliseconds(250), "not dropped before its TTL")
        #expect(try await result.state() == .pending)
        _ = try await transport.purge(queue: queue)
    }

    @Test func inspectPingAndStatsReachThePythonWorker() async throws {
        let node = await PythonCeleryWorker.shared.nodeName
        let control = try await app.control()
        let pings = try await control.broadcast(.ping(destination: [node]), timeout: 5, limit: 1)
        #expect(pings.map(\.node) == [node])
        #expect(try ControlOutcome(reply: pings[0].reply) == .ok("pong"))
        let stats = try await control.broadcast(.stats(destination: [node]), timeout: 5, limit: 1)
        let worker = try WorkerStats(reply: try #require(stats.first).reply)
        #expect((worker.pid ?? 0) > 0)
        #expect(worker.pool?.implementation?.contains("thread") == true)
        // Addressed elsewhere: our worker stays silent.
        let elsewhere = try await control.broadcast(.ping(destination: ["nobody@nowhere"]), timeout: 0.5)
        #expect(elsewhere.isEmpty)
    }

    @Test func revokingAWaitingTaskEndsItRevoked() async throws {
        // The countdown leaves the revoke time to land on a loaded machine; the reply is
        // awaited from the one worker addressed, not for a fixed window.
        let result = try await app.send("fix.add", args: [5, 5], options: TaskSendOptions(countdown: 6))
        let node = await PythonCeleryWorker.shared.nodeName
        let replies = try await app.control().broadcast(.revoke(taskID: result.id, destination: [node]),
                                                        timeout: 15, limit: 1)
        #expect(replies.map(\.node) == [node])
        #expect(try await result.wait(timeout: 20).status == .revoked)
    }

    @Test func unknownIDsArePending() async throws {
        #expect(try await app.result(UUID().uuidString).state() == .pending)
    }
}
