import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// The prefork pool's limits as Celery's worker applies them: children recycled after
/// `--max-tasks-per-child` tasks or past `--max-memory-per-child`, a task past its hard time
/// limit killed with its child, and an acks_late task whose child dies put back on the queue
/// under `task_reject_on_worker_lost`. Each ends with the pool at its size, running tasks.
extension WorkerInteropTests {
    /// A recycling limit: the worker's flag, the tasks run one after another, and what the log
    /// says of each child it replaces.
    struct Recycling: Sendable, CustomTestStringConvertible {
        var flag: [String]
        var tasks: Int
        var reason: String
        var replacements: Int
        var testDescription: String { flag[0] }
    }

    @Test(arguments: [
        Recycling(flag: ["--max-tasks-per-child", "2"], tasks: 3, reason: "it ran 2 tasks (--max-tasks-per-child 2)",
                  replacements: 1),
        // Every child holds more than 1 KiB, so each is replaced after its task.
        Recycling(flag: ["--max-memory-per-child", "1"], tasks: 2, reason: "KiB (--max-memory-per-child 1)", replacements: 2),
    ])
    func preforkChildrenAreRecycled(by limit: Recycling) async throws {
        try await Self.withVirtualHost { broker in
            let (queue, node) = Self.names("recycle")
            try await Self.withReadyWorker(queue: queue, broker: broker, concurrency: 1, pool: "prefork",
                                           extra: limit.flag) { log in
                for x in 1...limit.tasks { try await Self.expectSum(x, queue: queue, broker: broker) }
                // A child is replaced as its task ends, before the task's result goes out.
                let text = try await Self.waitForLog(log, toContain: limit.reason)
                #expect(text.components(separatedBy: "is replaced: ").count - 1 == limit.replacements, "\(text.suffix(2000))")
                #expect(text.components(separatedBy: limit.reason).count - 1 == limit.replacements, "\(text.suffix(2000))")
                #expect(try await Self.poolProcesses(node, broker: broker).count == 1, "the pool keeps its size")
            }
        }
    }

    @Test func aPreforkTaskPastItsHardTimeLimitIsKilledWithItsChild() async throws {
        try await Self.withVirtualHost { broker in
            let (queue, node) = Self.names("hard-limit")
            try await Self.withReadyWorker(queue: queue, broker: broker, concurrency: 1, pool: "prefork",
                                           extra: ["--time-limit", "1"]) { log in
                let before = try await Self.poolProcesses(node, broker: broker)
                let started = ContinuousClock.now
                let slow = try await CeleriacBinary.runDetached(["call", "demo.sleep", "--args", "[30]", "-Q", queue, "-b", broker,
                                                                 "--result-backend", "rpc://", "--wait", "--timeout", "25"])
                let took = ContinuousClock.now - started
                #expect(slow.status != 0 && (slow.stdout + slow.stderr).contains("TimeLimitExceeded"), "\(slow.stdout) \(slow.stderr)")
                #expect(took < .seconds(20), "ended by the limit, not by the task: \(took)")
                try await Self.expectSum(4, queue: queue, broker: broker)
                let after = try await Self.poolProcesses(node, broker: broker)
                #expect(after.count == 1 && after != before, "the killed child is replaced: \(before) then \(after)")
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                #expect(text.contains("TimeLimitExceeded"), "\(text.suffix(2000))")
            }
        }
    }

    @Test func anAcksLateTaskWhoseChildDiesGoesBackToTheQueue() async throws {
        try await Self.withVirtualHost { broker in
            let (queue, node) = Self.names("worker-lost")
            try await Self.withReadyWorker(
                queue: queue, broker: broker, concurrency: 1, pool: "prefork",
                environment: ["CELERIAC_TASK_ACKS_LATE=true", "CELERIAC_TASK_REJECT_ON_WORKER_LOST=true"]) { log in
                let sent = try await CeleriacBinary.runDetached(["call", "demo.sleep", "--args", "[1]", "-Q", queue, "-b", broker])
                let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                let active = try await Self.activeTask(id, on: node, broker: broker)
                let child = try #require(active["worker_pid"]?.intValue, "\(active)")
                kill(pid_t(child), SIGKILL)
                let text = try await Self.waitForLog(log, toContain: "demo.sleep[\(id)] succeeded", timeout: 30)
                #expect(text.contains("demo.sleep[\(id)] lost its pool process"), "\(text.suffix(2000))")
                #expect(text.contains("goes back to the queue (reject_on_worker_lost)"), "\(text.suffix(2000))")
                #expect(!text.contains("raised unexpected: WorkerLostError"), "it did not fail: \(text.suffix(2000))")
            }
        }
    }

    @Test func celerysGeventPoolNameRunsTheAsyncPool() async throws {
        try await Self.withVirtualHost { broker in
            let (queue, _) = Self.names("gevent")
            try await Self.withReadyWorker(queue: queue, broker: broker, pool: "gevent") { log in
                try await Self.expectSum(5, queue: queue, broker: broker)
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                #expect(text.contains("-P gevent runs the async pool"), "\(text.suffix(2000))")
                #expect(text.contains(" ready: async pool"), "\(text.suffix(2000))")
            }
        }
    }

    /// terminate on a pool without child processes cancels the task, and the reply says so
    /// rather than claiming a signal was sent; the task ends REVOKED, the worker runs on.
    @Test(arguments: ["async", "threads"])
    func terminateOnAnInProcessPoolCancelsAndSaysSo(pool: String) async throws {
        try await Self.withVirtualHost { broker in
            let (queue, node) = Self.names("terminate-\(pool)")
            try await Self.withReadyWorker(queue: queue, broker: broker, concurrency: 1, pool: pool) { log in
                let sent = try await CeleriacBinary.runDetached(["call", "demo.sleep", "--args", "[60]", "-Q", queue, "-b", broker])
                let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
                _ = try await Self.activeTask(id, on: node, broker: broker)
                let reply = try await CeleriacBinary.runDetached(["control", "terminate", id, "SIGKILL", "-d", node, "--json",
                                                                  "-b", broker, "--timeout", "5"])
                let answer = try JSONValue(parsing: reply.stdout)[node]?["ok"]?.stringValue ?? ""
                #expect(answer == "terminate: \(id) (cancelled (the \(pool) pool stops a task by cancellation, not by signal))",
                        "\(reply.stdout) \(reply.stderr)")
                let text = try await Self.waitForLog(log, toContain: "terminated task demo.sleep[\(id)] by cancellation")
                #expect(!text.contains("demo.sleep[\(id)] succeeded"), "\(text.suffix(2000))")
                try await Self.expectSum(6, queue: queue, broker: broker)
            }
        }
    }

    /// Calls demo.add(x, x) and checks its result.
    static func expectSum(_ x: Int, queue: String, broker: String) async throws {
        let result = try await CeleriacBinary.runDetached(["call", "demo.add", "--args", "[\(x), \(x)]", "-Q", queue, "-b", broker,
                                                           "--result-backend", "rpc://", "--wait", "--timeout", "20"])
        #expect(result.status == 0 && result.stdout.contains("\(2 * x)"), "\(result.stdout) \(result.stderr)")
    }

    /// The pool's process ids, as `inspect stats` gives them.
    static func poolProcesses(_ node: String, broker: String) async throws -> [Int] {
        let stats = try await CeleriacBinary.runDetached(["inspect", "stats", "-d", node, "--json", "-b", broker, "--timeout", "5"])
        let processes = try JSONValue(parsing: stats.stdout)[node]?["pool"]?["processes"]?.arrayValue
        return try #require(processes, "\(stats.stdout) \(stats.stderr)").compactMap(\.intValue)
    }
}
