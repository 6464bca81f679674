import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// The prefork pool and the autoscaler under Celery 5.7's own remote control, and the
/// worker's promise when it is lost: no late-acked task goes missing.
extension WorkerInteropTests {
    @Test func thePreforkPoolFollowsCelerysControl() async throws {
        try await Self.withVirtualHost { broker in try await preforkControl(broker: broker) }
    }

    func preforkControl(broker: String) async throws {
        let (queue, node) = Self.names("pool")
        let (worker, log) = try await Self.startReadyWorker(queue: queue, broker: broker, pool: "prefork",
                                                            extra: ["--autoscale", "3,1"],
                                                            environment: ["AUTOSCALE_KEEPALIVE=2"])
        let output = try await detached {
            try ChildProcess.run(["python3", PythonCluster.interop.appendingPathComponent("control_pool.py").path,
                                  "--broker", broker, "--node", node, "--queue", queue])
        }
        let status = try await detached { worker.stop() }
        let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try #require(output.status == 0, "\(output.stderr.suffix(1500))\nworker log:\n\(workerLog.suffix(2000))")
        #expect(status == 0, "\(workerLog.suffix(1500))")
        let replies = try JSONValue(parsing: output.stdout)
        func processes(_ key: String) -> [JSONValue]? { replies[key]?["pool"]?["processes"]?.arrayValue }
        func listed(_ method: String) -> JSONValue? { replies[method]?.arrayValue?.first?[node] }

        #expect(replies["stats_start"]?["pool"]?["implementation"] == "celeriac.concurrency.prefork:TaskPool")
        #expect(replies["stats_start"]?["autoscaler"] == ["current": 1, "max": 3, "min": 1, "qty": 0], "\(replies)")
        #expect(processes("grown")?.count == 3, "the autoscaler grows to the three tasks held: \(replies)\n\(workerLog.suffix(3000))")
        #expect(replies["burst"] == [6, 6, 6])
        #expect(processes("shrunk")?.count == 1, "and shrinks back once idle: \(replies["shrunk"] ?? .null)")

        let doomedPID = replies["doomed_active"]?["worker_pid"]
        #expect(doomedPID != nil && doomedPID != .int(Int(worker.pid)), "active names the child, not the worker")
        #expect(listed("terminate")?["ok"]?.stringValue?.hasPrefix("terminate: \(replies["ids"]?["doomed"]?.stringValue ?? "?") (SIGKILL sent to pool process") == true,
                "\(replies["terminate"] ?? .null)")
        #expect(replies["terminated"] == ["error": "TaskRevokedError", "message": "terminated"])

        #expect(replies["lost"] == ["error": "WorkerLostError", "message": "Worker exited prematurely: signal 9 (SIGKILL)."])
        #expect(processes("stats_replaced")?.count == 1, "the killed child is replaced: \(replies["stats_replaced"] ?? .null)")
        #expect(workerLog.contains("exited with 'signal 9 (SIGKILL)' while running task \(replies["ids"]?["lost"]?.stringValue ?? "?")"))

        // worker_process_init ran in every child: the first, two grown, the terminated one's and the killed one's
        // replacements, and those autoscale and pool_grow added.
        #expect(workerLog.components(separatedBy: "demo: pool process ").count - 1 >= 7, "\(workerLog.suffix(3000))")
        #expect(workerLog.contains("INFO/ForkPoolWorker-1] demo: pool process "), "child log lines carry Celery's process name")
        #expect(replies["soft_limited"]?["error"] == "SoftTimeLimitExceeded", "\(replies["soft_limited"] ?? .null)")

        #expect(listed("autoscale") == ["ok": "autoscale now max=4 min=2"])
        #expect(replies["stats_autoscaled"]?["autoscaler"]?["current"] == 2 && processes("stats_autoscaled")?.count == 2)
        #expect(listed("pool_grow") == ["ok": "pool will grow"] && processes("stats_grown")?.count == 4,
                "\(replies["stats_grown"] ?? .null)")
        #expect(listed("pool_shrink") == ["ok": "pool will shrink"] && processes("stats_shrunk")?.count == 3,
                "\(replies["stats_shrunk"] ?? .null)")
    }

    /// kill -9 of the worker (its children left to notice) or SIGTERM, with late-acked tasks
    /// in flight: a second worker finishes the queue and every task has its result. Duplicates
    /// (run twice: finished but not acked when the first died) are allowed and reported.
    @Test(arguments: ["kill", "term"])
    func losingAWorkerLosesNoTask(how: String) async throws {
        try await Self.withVirtualHost { broker in try await loseAWorker(broker: broker, how: how) }
    }

    func loseAWorker(broker: String, how: String) async throws {
        let (queue, _) = Self.names("lose")
        let logs = FileManager.default.temporaryDirectory.path
        let output = try await detached {
            try ChildProcess.run(["python3", PythonCluster.interop.appendingPathComponent("lose_a_worker.py").path,
                                  "--broker", broker, "--queue", queue, "--celeriac", CeleriacBinary.url.path,
                                  "--how", how, "--tasks", "200", "--log-dir", logs])
        }
        let firstLog = (try? String(contentsOfFile: "\(logs)/\(queue)-first.log", encoding: .utf8)) ?? ""
        try #require(output.status == 0, "\(output.stderr.suffix(1500))\nfirst worker:\n\(firstLog.suffix(1500))")
        let report = try JSONValue(parsing: output.stdout)
        print("losing a worker (\(how)): \(report.serialized)")
        #expect(report["completed"] == 200, "every task has its result: \(report)")
        #expect(report["failed"] == [:], "\(report)")
        #expect(report["succeeded_ids"] == 200, "\(report)")
        #expect(report["first_status"] == (how == "kill" ? -9 : 0), "\(report)")
        #expect(report["children"]?.arrayValue?.count == 4 && report["children_left"] == [],
                "the pool's children go with their worker: \(report)")
        if how == "term" {
            #expect(report["duplicates"] == 0, "a warm shutdown runs nothing twice: \(report)")
            // 16 in hand when it stops, 4 of them running: the other 12 go back, each named.
            #expect(firstLog.contains("goes back to the queue: the worker is stopping and it had not started"),
                    "\(firstLog.suffix(2000))")
        }
    }
}

extension WorkerInteropTests {
    /// A pickled task, a body that is not [args, kwargs, embed] and a message without a task
    /// name are rejected, each named in the log, and land on the queue's dead-letter queue;
    /// the good task behind them still runs.
    @Test func unreadableMessagesAreDeadLetteredAndTheQueueFlows() async throws {
        try await Self.withVirtualHost { broker in
            let (queue, _) = Self.names("bad")
            let prepared = try await detached {
                try ChildProcess.run(["python3", "-c", """
                    from kombu import Connection, Exchange, Queue
                    with Connection('\(broker)') as c:
                        Queue('\(queue)', Exchange(''), routing_key='\(queue)', durable=True,
                              queue_arguments={'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': '\(queue).dead'})(c.channel()).declare()
                    """])
            }
            try #require(prepared.status == 0, "\(prepared.stderr)")
            let (worker, log) = try await Self.startReadyWorker(queue: queue, broker: broker, pool: "prefork")
            defer { _ = worker.stop() }
            let output = try await detached {
                try ChildProcess.run(["python3", PythonCluster.interop.appendingPathComponent("bad_messages.py").path,
                                      "--broker", broker, "--queue", queue])
            }
            let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            try #require(output.status == 0, "\(output.stderr.suffix(1500))\nworker log:\n\(workerLog.suffix(2000))")
            let report = try JSONValue(parsing: output.stdout)
            #expect(report["good"] == 5)
            let dead = report["dead"]?.arrayValue ?? []
            #expect(Set(dead.compactMap { $0["id"]?.stringValue }) == ["bad-pickle", "bad-body", "no-task-name"], "\(report)")
            #expect(dead.allSatisfy { $0["reason"] == "rejected" && $0["queue"] == .string(queue) }, "\(report)")
            for id in ["bad-pickle", "bad-body"] {
                #expect(workerLog.contains("rejected message \(id) on \(queue)"), "\(workerLog.suffix(2000))")
            }
            #expect(workerLog.contains("rejected message no-task-name on \(queue)"), "\(workerLog.suffix(2000))")
        }
    }
}

extension WorkerInteropTests {
    /// A Python Celery worker and a Swift one on the same queue, for names both register:
    /// a Python client's tasks all come back right, and both workers ran some.
    @Test func pythonAndSwiftWorkersShareAQueue() async throws {
        try await Self.withVirtualHost { broker in
            let (queue, swiftNode) = Self.names("share")
            let pythonNode = "python-\(queue)@localhost"
            let pythonLog = FileManager.default.temporaryDirectory.appendingPathComponent("\(queue)-python.log").path
            var environment = ProcessInfo.processInfo.environment
            environment["CELERIAC_TEST_AMQP_URL"] = broker
            let python = try BackgroundProcess("/bin/bash", arguments: [PythonCluster.interop.appendingPathComponent("run_worker.sh").path,
                                                                        pythonNode, queue, "--pool=threads", "-c", "2"],
                                               environment: environment, logFile: pythonLog)
            defer { _ = python.stop() }
            _ = try await Self.waitForLog(pythonLog, toContain: "ready.")  // the Python worker declares the queue first
            let (worker, log) = try await Self.startReadyWorker(queue: queue, broker: broker, concurrency: 2, pool: "prefork")
            defer { _ = worker.stop() }
            let output = try await detached {
                try ChildProcess.run(["python3", PythonCluster.interop.appendingPathComponent("share_queue.py").path,
                                      "--broker", broker, "--queue", queue, "--nodes", "\(pythonNode),\(swiftNode)"])
            }
            let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            try #require(output.status == 0, "\(output.stderr.suffix(1500))\nswift worker:\n\(workerLog.suffix(1500))")
            let report = try JSONValue(parsing: output.stdout)
            #expect(report["correct"] == 60, "\(report)")
            let ranInPython = report["ran"]?[pythonNode]?.intValue ?? 0
            let ranInSwift = report["ran"]?[swiftNode]?.intValue ?? 0
            #expect(ranInPython > 0 && ranInSwift > 0 && ranInPython + ranInSwift == 60, "each worker ran some: \(report)")
        }
    }
}

extension WorkerInteropTests {
    /// SIGQUIT while a late-acked task runs in a prefork child: the child is killed, the
    /// worker exits at once without acking, and the message is back on the queue (purge finds
    /// it) — Celery's cold shutdown.
    @Test func aColdShutdownPutsTheRunningLateAckedTaskBack() async throws {
        try await Self.withVirtualHost { broker in
            let (queue, node) = Self.names("cold")
            let (worker, log) = try await Self.startReadyWorker(queue: queue, broker: broker, concurrency: 1, pool: "prefork")
            defer { _ = worker.stop() }
            _ = try await CeleriacBinary.runDetached(["call", "demo.sleep", "--args", "[60]", "-Q", queue, "-b", broker])
            _ = try await Self.runningTask("demo.sleep", log: log, node: node, broker: broker)
            let stats = try await CeleriacBinary.runDetached(["inspect", "stats", "-d", node, "--json", "-b", broker, "--timeout", "5"])
            let pid = try #require(try JSONValue(parsing: stats.stdout)[node]?["pid"]?.intValue, "\(stats.stdout)")
            kill(pid_t(pid), SIGQUIT)
            let workerLog = try await Self.waitForLog(log, toContain: "stopped after")
            _ = try await detached { worker.stop() }  // the process is gone, and its connection with it
            #expect(workerLog.contains("cold shutdown"), "\(workerLog.suffix(2000))")
            #expect(workerLog.contains("left unacknowledged, the broker redelivers it"), "\(workerLog.suffix(2000))")
            let purged = try await CeleriacBinary.runDetached(["purge", "-Q", queue, "-f", "-b", broker])
            #expect(purged.stdout.contains("\(queue): 1 message"), "the task is back on its queue: \(purged.stdout) \(purged.stderr)")
        }
    }
}
