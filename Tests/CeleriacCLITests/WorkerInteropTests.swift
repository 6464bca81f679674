import AMQPClient
import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// `celeriac worker -A demo` on RabbitMQ, called by a real Python Celery 5.7 client through
/// rpc://: results, raised errors, unknown tasks and bad arguments come back as Celery's
/// worker would send them, and Celery's own event receiver and State read every event.
/// The broker URL is a parameter, so the broker issue re-runs it.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .serialized)
struct WorkerInteropTests {
    /// Runs `body` with the URL of a fresh virtual host, removed after: a worker's events and
    /// heartbeats must not reach the other tests' listeners.
    static func withVirtualHost(_ body: (String) async throws -> Void) async throws {
        let name = "worker-\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try ManagementAdmin(url: CeleriacBinary.managementURL!)
        try await admin.createVirtualHost(name)
        do {
            try await body(PythonCluster.url(CeleriacBinary.amqpURL!, virtualHost: name))
        } catch {
            try? await admin.deleteVirtualHost(name)
            throw error
        }
        try? await admin.deleteVirtualHost(name)
    }

    /// `celeriac worker -A demo -E` on `queue`, stopped (SIGTERM) when the test stops it or
    /// ends; its log goes to the returned file.
    static func startWorker(queue: String, broker: String, concurrency: Int = 4, pool: String = "async",
                            extra: [String] = [], environment: [String] = []) throws -> (BackgroundProcess, String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(queue)-\(UUID().uuidString).log").path
        let worker = try BackgroundProcess(
            "/bin/bash",
            arguments: [PythonCluster.interop.appendingPathComponent("run_until_eof.sh").path, "/usr/bin/env"] + environment
                + [CeleriacBinary.url.path,
                        "worker", "-A", "demo", "-Q", queue, "-E", "-c", "\(concurrency)", "-P", pool,
                        "-n", "swift-\(queue)@localhost", "-b", broker, "--result-backend", "rpc://"] + extra,
            logFile: log)
        return (worker, log)
    }

    /// A queue name of its own for one test, and the node name its worker takes.
    static func names(_ prefix: String) -> (queue: String, node: String) {
        let queue = "\(prefix)-\(UUID().uuidString.prefix(8).lowercased())"
        return (queue, "swift-\(queue)@localhost")
    }

    /// How a Swift worker's log says it is ready ("NAME ready: async pool of 4, …"); plain
    /// "ready" would also match an "already" in an earlier line.
    static let readyLine = " ready: "

    /// `startWorker`, then waits until the worker says it is ready: up to a minute, since a
    /// debug build starting beside dozens of busy test processes has been seen to take 20 s.
    static func startReadyWorker(queue: String, broker: String, concurrency: Int = 4, pool: String = "async",
                                 extra: [String] = [], environment: [String] = []) async throws -> (BackgroundProcess, String) {
        let (worker, log) = try startWorker(queue: queue, broker: broker, concurrency: concurrency, pool: pool, extra: extra,
                                            environment: environment)
        _ = try await waitForLog(log, toContain: readyLine, timeout: 60)
        return (worker, log)
    }

    /// `startReadyWorker`, then `body` with the worker's log, then the worker stopped on a
    /// thread of its own whether `body` ends or throws: waiting for a worker to exit must not
    /// hold one of the few threads every test's tasks share.
    static func withReadyWorker(queue: String, broker: String, concurrency: Int = 4, pool: String = "async",
                                extra: [String] = [], environment: [String] = [],
                                _ body: (String) async throws -> Void) async throws {
        let (worker, log) = try await startReadyWorker(queue: queue, broker: broker, concurrency: concurrency, pool: pool,
                                                       extra: extra, environment: environment)
        do {
            try await body(log)
        } catch {
            _ = try? await detached { worker.stop() }
            throw error
        }
        _ = try await detached { worker.stop() }
    }

    /// Waits until the worker's log holds `text`; the log is how the test sees the worker's steps.
    static func waitForLog(_ path: String, toContain text: String, timeout: Double = 20) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(timeout)
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
            if log.contains(text) { return log }
            try await Task.sleep(for: .milliseconds(50))  // polling a file another process writes
        }
        let log = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        throw WorkerTestError("the worker's log did not show '\(text)' within \(timeout) s:\n\(log.suffix(2000))")
    }

    /// The id of the first `name` task the worker's log shows, once `inspect active` lists it:
    /// "received" alone is not "running", and a warm shutdown rightly gives a task that has
    /// not started back to the queue.
    static func runningTask(_ name: String, log: String, node: String, broker: String) async throws -> String {
        let text = try await waitForLog(log, toContain: "\(name)[")
        let start = try #require(text.range(of: "\(name)[")).upperBound
        let id = String(text[start...].prefix { $0 != "]" })
        _ = try await activeTask(id, on: node, broker: broker)
        return id
    }

    /// Asks `inspect active` until the task runs (a slot, or a prefork child, has it), up to 20 s.
    static func activeTask(_ id: String, on node: String, broker: String) async throws -> JSONValue {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let reply = try await CeleriacBinary.runDetached(["inspect", "active", "-d", node, "--json", "-b", broker, "--timeout", "2"])
            if let task = (try? JSONValue(parsing: reply.stdout))?[node]?.arrayValue?.first(where: { $0["id"]?.stringValue == id }) {
                return task
            }
            try await Task.sleep(for: .milliseconds(100))  // polling another process's state
        }
        throw WorkerTestError("task \(id) never showed as active on \(node)")
    }

    /// SIGTERM while a task runs: it finishes, its result reaches the caller, the worker
    /// exits 0 (Celery's warm shutdown).
    @Test func aWarmShutdownFinishesTheRunningTask() async throws {
        try await Self.withVirtualHost { broker in try await warmShutdown(broker: broker) }
    }

    func warmShutdown(broker: String) async throws {
        let (queue, node) = Self.names("warm")
        let (worker, log) = try await Self.startReadyWorker(queue: queue, broker: broker)
        async let call = CeleriacBinary.runDetached(["call", "demo.sleep", "--args", "[1.5]", "-Q", queue, "-b", broker,
                                                     "--result-backend", "rpc://", "--wait", "--timeout", "30"])
        _ = try await Self.runningTask("demo.sleep", log: log, node: node, broker: broker)
        let status = try await detached { worker.stop() }
        let result = try await call
        let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "\(workerLog.suffix(2000))")
        #expect(result.status == 0 && result.stdout.contains("1.5"), "\(result.stderr)\n\(workerLog.suffix(2000))")
        #expect(workerLog.contains("succeeded in") && workerLog.contains("stopped after 1 tasks"), "\(workerLog.suffix(2000))")
        // Acked before the worker left: nothing went back to the queue to run twice.
        #expect(!workerLog.contains("could not settle"), "\(workerLog.suffix(2000))")
        let purged = try await CeleriacBinary.runDetached(["purge", "-Q", queue, "-f", "-b", broker])
        #expect(purged.stdout.contains("\(queue): 0 messages"), "\(purged.stdout) \(purged.stderr)")
    }

    /// Celery's own remote-control client against the worker: every inspect answer in
    /// Celery's shape, revoke, pool resizing and shutdown.
    @Test func celerysInspectAndControlWork() async throws {
        try await Self.withVirtualHost { broker in try await controlDemo(broker: broker) }
    }

    func controlDemo(broker: String) async throws {
        let (queue, node) = Self.names("ctl")
        let (worker, log) = try await Self.startReadyWorker(queue: queue, broker: broker, concurrency: 3)
        let output = try await detached {
            try ChildProcess.run(["python3", PythonCluster.interop.appendingPathComponent("control_demo.py").path,
                                  "--broker", broker, "--node", node, "--queue", queue])
        }
        let status = try await detached { worker.stop() }  // after `shutdown` it has exited already
        let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try #require(output.status == 0, "\(output.stderr.suffix(1500))\nworker log:\n\(workerLog.suffix(2000))")
        #expect(status == 0 && workerLog.contains("stopped after 6 tasks"), "\(workerLog.suffix(1500))")
        let replies = try JSONValue(parsing: output.stdout)
        let ids = replies["ids"]
        func answer(_ method: String) -> JSONValue? { replies[method]?[node] }
        func listed(_ method: String) -> JSONValue? { replies[method]?.arrayValue?.first?[node] }
        #expect(answer("ping") == ["ok": "pong"])
        #expect(answer("active")?.arrayValue?.map { $0["id"] } == [ids?["running"]], "\(replies)")
        #expect(answer("active")?.arrayValue?.first?["name"] == "demo.sleep")
        #expect(answer("scheduled")?.arrayValue?.first?["request"]?["id"] == ids?["waiting"], "\(replies)")
        #expect(answer("query_task")?[ids?["running"]?.stringValue ?? ""]?.arrayValue?.first == "active")
        #expect(answer("stats")?["pool"]?["max-concurrency"] == 3)
        #expect(answer("stats")?["pool"]?["implementation"] == "celeriac.concurrency.async:TaskPool")
        #expect(answer("stats_after")?["pool"]?["max-concurrency"] == 4, "grow 2, shrink 1")
        #expect(answer("registered")?.arrayValue?.contains("demo.add") == true)
        #expect(answer("active_queues")?.arrayValue?.first?["name"] == .string(queue))
        #expect(answer("active_queues")?.arrayValue?.first?["exchange"]?["name"] == .string(queue), "a queue made on the fly has its own exchange, as in Celery")
        #expect(answer("conf")?["broker_url"]?.stringValue?.contains("********") == true)
        #expect(answer("clock")?["clock"]?.intValue != nil)
        #expect(listed("revoke")?["ok"]?.stringValue?.contains("flagged as revoked") == true)
        #expect(answer("revoked")?.arrayValue == [ids?["waiting"] ?? .null])
        #expect(listed("pool_grow") == ["ok": "pool will grow"] && listed("pool_shrink") == ["ok": "pool will shrink"])
        #expect(replies["result"] == 2)
        let extra = JSONValue.string(queue + ".extra")
        #expect(listed("add_consumer") == ["ok": .string("add consumer \(queue).extra")], "\(replies)")
        #expect(answer("queues_added")?.arrayValue?.map { $0["name"] } == [.string(queue), extra])
        #expect(listed("cancel_consumer") == ["ok": .string("no longer consuming from \(queue).extra")])
        #expect(answer("queues_cancelled")?.arrayValue?.map { $0["name"] } == [.string(queue)])
        #expect(listed("rate_limit") == ["ok": "new rate limit set successfully"])
        // Three tasks at 2/s: the third starts a second after the first, at the earliest.
        #expect((replies["rate_limited_span"]?.doubleValue ?? 0) >= 0.9, "\(replies["rate_limited_span"] ?? .null)")
        #expect((replies["rate_token_wait"]?.doubleValue ?? 99) < 5, "an ETA task spent the token on arrival: \(replies["rate_token_wait"] ?? .null)")
        #expect(listed("time_limit") == ["ok": "time limits set successfully"])
        #expect(replies["time_limited"] == "TimeLimitExceeded", "\(replies["time_limited"] ?? .null)")
    }

    /// `celeriac top` on the Swift worker: its pool shows on the Workers screen, and `+`
    /// grows it — checked with Celery's `inspect stats`.
    @Test func theDashboardShowsAndGrowsTheSwiftWorker() async throws {
        try await Self.withVirtualHost { broker in try await dashboard(broker: broker) }
    }

    func dashboard(broker: String) async throws {
        let (queue, node) = Self.names("top")
        let (worker, _) = try await Self.startReadyWorker(queue: queue, broker: broker, pool: "prefork",
                                                          extra: ["--autoscale", "3,1"], environment: ["AUTOSCALE_KEEPALIVE=600"])
        defer { worker.stop() }
        let tmux = try TmuxSession(command: [CeleriacBinary.url.path, "top", "-b", broker, "--poll-interval", "1"],
                                   columns: 200, environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        defer { tmux.kill() }
        // The node's row, found by its queue (a long node name is cut short on screen).
        @Sendable func row(_ screen: String) -> String {
            screen.split(separator: "\n").first { $0.contains(queue) && $0.contains("online") }.map(String.init) ?? ""
        }
        func stats() async throws -> JSONValue {
            let output = try await detached {
                try ChildProcess.run(["python3", "-m", "celery", "-b", broker, "inspect", "stats", "-d", node, "--json", "-t", "5"])
            }
            return try JSONValue(parsing: output.stdout)[node] ?? .null
        }
        func confirm(_ key: String, _ question: String, _ status: String, answer: String? = nil) async throws -> String {
            try await detached {
                try tmux.send(key)
                try tmux.waitFor(text: question)
                if let answer {
                    if !answer.isEmpty { try tmux.send(answer, literal: true) }
                    try tmux.send("Enter")
                    try tmux.waitFor(text: "[y/N]")
                }
                try tmux.send("y")
                return try tmux.waitFor(text: status, timeout: 15)
            }
        }

        let before = try await detached {
            try tmux.waitFor(text: "Overview —")
            try tmux.send("2")
            return try tmux.waitFor("the worker's pool: prefork, 1 process (autoscale 1-3), its child's pid") { screen in
                let line = row(screen)
                return line.contains("prefork") && line.contains("1 (1-3)")
            }
        }
        let childPID = try await stats()["pool"]?["processes"]?[0]?.intValue ?? -1
        #expect(row(before).contains(node.prefix(20)) && row(before).contains("\(childPID)"), "\(before)")

        _ = try await confirm("+", "Grow the pool of \(node) by 1?", "pool will grow")
        _ = try await detached { try tmux.waitFor("two processes", timeout: 15) { row($0).contains("2 (1-3)") } }
        #expect(try await stats()["pool"]?["processes"]?.arrayValue?.count == 2)
        _ = try await confirm("-", "Shrink the pool of \(node) by 1?", "pool will shrink")
        _ = try await detached { try tmux.waitFor("one process", timeout: 15) { row($0).contains("1 (1-3)") } }

        _ = try await confirm("a", "MAX,MIN", "autoscale now max=4 min=2", answer: "4,2")
        _ = try await detached { try tmux.waitFor("autoscale 2-4", timeout: 15) { row($0).contains("2 (2-4)") } }
        let scaler = try await stats()["autoscaler"]
        #expect(scaler?["max"] == 4 && scaler?["min"] == 2 && scaler?["current"] == 2, "\(scaler ?? .null)")

        _ = try await confirm("c", "Queue for \(node) to consume", "add consumer \(queue).extra", answer: "\(queue).extra")
        _ = try await confirm("C", "Queue for \(node) to stop consuming", "no longer consuming from \(queue).extra",
                              answer: "\(queue).extra")
        let queues = try await detached {
            try ChildProcess.run(["python3", "-m", "celery", "-b", broker, "inspect", "active_queues", "-d", node, "--json", "-t", "5"])
        }
        #expect(queues.stdout.contains("\"\(queue)\"") && !queues.stdout.contains("\(queue).extra"), "\(queues.stdout)")

        // r on a task held for its countdown, T on a running one — both chosen on the Tasks screen.
        let waiting = try await detached {
            try ChildProcess.run([CeleriacBinary.url.path, "call", "demo.add", "--args", "[1, 2]", "--countdown", "60",
                                  "-Q", queue, "-b", broker]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let running = try await detached {
            try ChildProcess.run([CeleriacBinary.url.path, "call", "demo.sleep", "--args", "[60]", "-Q", queue, "-b", broker])
                .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        func select(_ id: String, _ state: String) async throws {
            _ = try await detached { try tmux.showTaskAlone(id, state: state) }
        }
        try await select(waiting, "RECEIVED")
        _ = try await confirm("r", "Revoke", "flagged as revoked")
        let revoked = try await detached {
            try ChildProcess.run(["python3", "-m", "celery", "-b", broker, "inspect", "revoked", "-d", node, "--json", "-t", "5"])
        }
        #expect(revoked.stdout.contains(waiting), "\(revoked.stdout)")
        try await select(running, "STARTED")
        let terminated = try await confirm("T", "Signal for", "SIGTERM sent to pool process", answer: "")
        #expect(terminated.contains("terminate: \(running)"), "\(terminated)")
        try await select(running, "REVOKED")
    }

    /// `celeriac inspect` and `celeriac control` against the Swift worker: readable replies,
    /// JSON with --json, usage errors before anything is sent, and silence reported.
    @Test func ourInspectAndControlCommands() async throws {
        try await Self.withVirtualHost { broker in try await inspectAndControl(broker: broker) }
    }

    func inspectAndControl(broker: String) async throws {
        let (queue, node) = Self.names("cli")
        let (worker, _) = try await Self.startReadyWorker(queue: queue, broker: broker, concurrency: 2)
        defer { worker.stop() }
        let target = ["-d", node, "-b", broker, "-t", "5"]
        let ping = try await CeleriacBinary.runDetached(["inspect", "ping"] + target)
        #expect(ping.status == 0 && ping.stdout.contains("->  \(node): OK") && ping.stdout.contains("pong"), "\(ping.stdout)\(ping.stderr)")
        #expect(ping.stdout.contains("1 node online."))
        let stats = try await CeleriacBinary.runDetached(["inspect", "stats", "--json"] + target)
        let reply = try JSONValue(parsing: stats.stdout)
        #expect(reply[node]?["pool"]?["max-concurrency"] == 2, "\(stats.stdout)")
        let queues = try await CeleriacBinary.runDetached(["inspect", "active_queues"] + target)
        #expect(queues.stdout.contains("\(queue) (exchange"), "\(queues.stdout)")
        let grow = try await CeleriacBinary.runDetached(["control", "pool_grow", "2"] + target)
        #expect(grow.status == 0 && grow.stdout.contains("pool will grow"), "\(grow.stdout)\(grow.stderr)")
        let grown = try JSONValue(parsing: try await CeleriacBinary.runDetached(["inspect", "stats", "-j"] + target).stdout)
        #expect(grown[node]?["pool"]?["max-concurrency"] == 4)
        let unsupported = try await CeleriacBinary.runDetached(["control", "autoscale", "4", "2"] + target)
        #expect(unsupported.stdout.contains("->  \(node): ERROR"), "\(unsupported.stdout)")
        let badRate = try await CeleriacBinary.runDetached(["control", "rate_limit", "demo.add", "fast"] + target)
        #expect(badRate.status == 64 && badRate.stderr.contains("not like 10/s"), "\(badRate.stderr)")
        let unknown = try await CeleriacBinary.runDetached(["inspect", "everything"] + target)
        #expect(unknown.status == 64 && unknown.stderr.contains("use one of: ping"), "\(unknown.stderr)")
        let nobody = try await CeleriacBinary.runDetached(["inspect", "ping", "-d", "nobody@nowhere", "-b", broker, "-t", "0.5"])
        #expect(nobody.status == 1 && nobody.stderr.contains("no nodes replied within 0.5 s"), "\(nobody.stderr)")
    }

    /// A worker restarted at once after `kill -9` can find its mailbox still held by the dead
    /// connection, until the broker counts it gone. It runs tasks meanwhile, says why remote
    /// control waits, and answers it once the mailbox is free.
    @Test func aWorkerWhoseMailboxIsHeldRunsAndTakesItWhenFree() async throws {
        try await Self.withVirtualHost { broker in
            let (queue, node) = Self.names("held")
            let holder = try await AMQPConnection.connect(url: broker)
            let channel = try await holder.openChannel()
            try await channel.queueDeclare("\(node).celery.pidbox", exclusive: true, autoDelete: true)
            let (worker, log) = try await Self.startReadyWorker(queue: queue, broker: broker)
            defer { worker.stop() }
            #expect(try String(contentsOfFile: log, encoding: .utf8).contains("is held by another connection"))
            let sum = try await CeleriacBinary.runDetached(["call", "demo.add", "--args", "[2, 3]", "-Q", queue, "-b", broker,
                                                            "--result-backend", "rpc://", "--wait", "--timeout", "15"])
            #expect(sum.status == 0 && sum.stdout.contains("5"), "\(sum.stdout)\(sum.stderr)")
            try await holder.close()
            _ = try await Self.waitForLog(log, toContain: "mailbox taken")
            let ping = try await CeleriacBinary.runDetached(["inspect", "ping", "-d", node, "-b", broker, "-t", "5"])
            #expect(ping.status == 0 && ping.stdout.contains("pong"), "\(ping.stdout)\(ping.stderr)")
        }
    }

    /// `--statedb`: an id revoked before a restart is still refused after it; `--pidfile`
    /// holds the pid while the worker runs, refuses a second worker, and goes at exit.
    @Test func revokedIDsOutliveARestart() async throws {
        try await Self.withVirtualHost { broker in try await statedb(broker: broker) }
    }

    func statedb(broker: String) async throws {
        let (queue, node) = Self.names("state")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(queue).path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let files = ["--statedb", directory + "/%n.state", "--pidfile", directory + "/%n.pid"]
        let revokedID = UUID().uuidString.lowercased()
        let (first, firstLog) = try Self.startWorker(queue: queue, broker: broker, extra: files)
        _ = try await Self.waitForLog(firstLog, toContain: Self.readyLine)
        let pidFile = directory + "/swift-\(queue).pid"
        #expect(Int32((try? String(contentsOfFile: pidFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") != nil)
        let second = try await CeleriacBinary.runDetached(["worker", "-A", "demo", "-Q", queue, "-n", node, "-b", broker] + files)
        #expect(second.status == 1 && second.stderr.contains("which is running"), "\(second.stderr)")
        let revoke = try await detached {
            try ChildProcess.run(["python3", "-m", "celery", "-b", broker, "control", "revoke", revokedID, "-d", node, "--json"])
        }
        #expect(revoke.stdout.contains("flagged as revoked"), "\(revoke.stdout) \(revoke.stderr)")
        #expect(try await detached { first.stop() } == 0)
        #expect(!FileManager.default.fileExists(atPath: pidFile), "the pidfile goes at exit")

        // Restarted with --logfile too: lines go to the file, SIGHUP reopens it after a move.
        let logFile = directory + "/swift-\(queue).log"
        let (restarted, _) = try Self.startWorker(queue: queue, broker: broker, extra: files + ["-f", directory + "/%n.log"])
        defer { restarted.stop() }
        let log = logFile
        _ = try await Self.waitForLog(log, toContain: Self.readyLine)
        #expect(try String(contentsOfFile: log, encoding: .utf8).contains(": INFO/MainProcess] "))
        let call = try await detached {
            try ChildProcess.run(["python3", "-c", """
                import sys
                from celery import Celery
                app = Celery(broker=sys.argv[1], backend="rpc://")
                try:
                    print(app.send_task("demo.add", args=(1, 2), queue=sys.argv[2], task_id=sys.argv[3]).get(timeout=15))
                except Exception as error:
                    print(type(error).__name__)
                """, broker, queue, revokedID])
        }
        #expect(call.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "TaskRevokedError", "\(call.stdout) \(call.stderr)")

        // logrotate's way: move the file, send SIGHUP; the next lines go to a new file.
        try FileManager.default.moveItem(atPath: logFile, toPath: logFile + ".1")
        let pid = try #require(Int32((try String(contentsOfFile: pidFile, encoding: .utf8)).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGHUP)
        let deadline = ContinuousClock.now + .seconds(10)
        while !FileManager.default.fileExists(atPath: logFile), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))  // the worker reopens on its own thread
        }
        let sent = try await CeleriacBinary.runDetached(["call", "demo.add", "--args", "[2, 2]", "-Q", queue, "-b", broker])
        let id = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        _ = try await Self.waitForLog(logFile, toContain: "demo.add[\(id)] succeeded")
        #expect(try String(contentsOfFile: logFile + ".1", encoding: .utf8).contains("discarding revoked task"))
    }

    @Test(arguments: ["prefork", "async", "threads", "solo"])
    func aPythonClientCallsTheDemoTasks(pool: String) async throws {
        try await Self.withVirtualHost { broker in try await callDemoTasks(broker: broker, pool: pool) }
    }

    func callDemoTasks(broker: String, pool: String) async throws {
        let (queue, _) = Self.names("demo")
        let (worker, log) = try await Self.startReadyWorker(queue: queue, broker: broker, pool: pool)
        defer { worker.stop() }
        let output = try await detached {
            try ChildProcess.run(["python3", PythonCluster.interop.appendingPathComponent("call_demo.py").path,
                                  "--broker", broker, "--queue", queue, "--events"])
        }
        let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        try #require(output.status == 0, "\(output.stderr.suffix(1500))\nworker log:\n\(workerLog.suffix(2000))")
        let reply = try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any] ?? [:]
        let results = reply["results"] as? [String: Any] ?? [:]
        #expect(results["add"] as? Int == 5)
        #expect(results["add_kwargs"] as? Int == 42)
        #expect(results["mul"] as? Int == 42)
        #expect(results["xsum"] as? Int == 10)
        #expect(results["noop"] is NSNull)
        #expect(results["fib"] as? Int == 6765)
        #expect(results["sleep"] as? Double == 0.2)
        #expect(results["progress"] as? Int == 3)
        #expect(results["countdown"] as? Int == 2)
        let fail = results["fail"] as? [String: String]
        #expect(fail?["error"] == "ValueError" && fail?["message"] == "boom ✗", "\(results)")
        let unknown = results["unknown"] as? [String: String]
        #expect(unknown?["error"] == "NotRegistered" && unknown?["message"].map { $0.contains("demo.nope") } == true,
                "\(results)")
        let badArgs = results["bad_args"] as? [String: String]
        #expect(badArgs?["message"].map { $0.contains("demo.add") } == true, "\(results)")
        let expired = results["expired"] as? [String: String]
        #expect(expired?["error"] == "TaskRevokedError", "\(results)")
        let expiredWhileHeld = results["expired_while_held"] as? [String: String]
        #expect(expiredWhileHeld?["error"] == "TaskRevokedError", "\(results)")
        #expect(workerLog.contains("received unregistered task of type 'demo.nope'"), "\(workerLog.suffix(2000))")

        let events = reply["events"] as? [String: Any] ?? [:]
        let states = events["states"] as? [String: String] ?? [:]
        #expect(states["add"] == "SUCCESS" && states["fail"] == "FAILURE" && states["expired"] == "REVOKED"
                && states["expired_while_held"] == "REVOKED", "\(events)")
        #expect(states.count == 13 && states.values.allSatisfy { ["SUCCESS", "FAILURE", "REVOKED"].contains($0) }, "\(events)")
        #expect((events["workers"] as? [String: Bool])?["swift-\(queue)@localhost"] == true, "\(events)")
        let types = events["types"] as? [String: Int] ?? [:]
        #expect(types["task-received"] == 13 && types["task-succeeded"] == 9 && types["task-failed"] == 3, "\(types)")
        #expect(types["task-progress"] == 3 && types["task-revoked"] == 2, "\(types)")
    }
}

struct WorkerTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
