import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// Quorum task queues and Celery's native delayed delivery, between Python Celery 5.7 and
/// Celeriac in both directions: a countdown or ETA task waits in the broker's delay levels,
/// not in a worker, and runs when it is due, never before.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .serialized,
       .timeLimit(.minutes(3)))
struct QuorumInteropTests {
    static let settings = """
        task_default_queue_type = "quorum"
        task_default_exchange_type = "topic"
        result_backend = "rpc://"
        """

    /// A Python client's countdown task, run by a Swift worker on a quorum queue.
    @Test func aPythonCountdownRunsOnASwiftWorker() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let config = try Self.writeSettings()
            let (worker, log) = try await WorkerInteropTests.startReadyWorker(queue: "celery", broker: broker,
                                                                              extra: ["--config", config])
            defer { worker.stop() }
            let startLog = try String(contentsOfFile: log, encoding: .utf8)
            #expect(startLog.contains("Native delayed delivery: on"), "\(startLog.suffix(2000))")
            // 5 s: 4 in level 2, then 1 in level 0; long enough that a send slowed by a loaded
            // machine still finds the task waiting in a level.
            let output = try await Self.python(["quorum_countdown.py", "demo.add", "2", "3", "5"], broker: broker)
            let report = try JSONValue(parsing: output)
            #expect(report["value"] == 5, "\(output)")
            #expect((report["elapsed"]?.doubleValue ?? 0) >= 4.9, "ran before its countdown: \(output)")
            #expect(report["held"] == 1, "the task did not wait in the broker's delay level: \(output)")
        }
    }

    /// A Swift client's countdown task, run by a Python worker on a quorum queue; the queue
    /// really is a quorum queue (a classic redeclaration is refused).
    @Test func aSwiftCountdownRunsOnAPythonWorker() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let (worker, _) = try await Self.startPythonWorker(broker: broker)
            defer { worker.stop() }
            let app = try Self.quorumApp(broker: broker)
            defer { Task { await app.close() } }
            let start = ContinuousClock.now
            let result = try await app.send("fix.add", args: [40, 2], options: TaskSendOptions(countdown: 3))
            // A countdown of 3 waits 2 s in level 1, then 1 s in level 0: look in both, the
            // way it moves, so a slow look still finds it and never counts it twice.
            var held = 0
            for level in [1, 0] where held == 0 {
                let counts = try await app.transport().declare(QueueDeclaration(name: NativeDelayedDelivery.levelName(level),
                                                                                passive: true))
                held += counts.messages
            }
            #expect(held == 1, "the task did not wait in the broker's delay levels")
            #expect(try await result.get(timeout: 30) == 42)
            #expect(ContinuousClock.now - start >= .milliseconds(2900), "ran before its countdown")

            if CeleriacBinary.environment["CELERIAC_TEST_BROKER"] != "celeriac" {  // celeriac broker: classic either way
                await #expect { try await app.transport().declare(QueueDeclaration.taskQueue("celery", maxPriority: nil)) } throws: {
                    "\($0)".contains("x-queue-type")
                }
            }
        }
    }

    /// A Python client's absolute-ETA task (`apply_async(eta=…)`), run by a Swift worker on a
    /// quorum queue. The ETA is 3.5 s ahead: Celery's client sends it through int(3.5) = 3 s
    /// of native delayed delivery, and the worker must wait out the last half second itself.
    @Test func aPythonETARunsOnASwiftWorker() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let config = try Self.writeSettings()
            let (worker, log) = try await WorkerInteropTests.startReadyWorker(queue: "celery", broker: broker,
                                                                              extra: ["--config", config])
            defer { worker.stop() }
            let output = try await Self.python(["quorum_eta.py", "demo.add", "2", "3", "3.5"], broker: broker)
            let report = try JSONValue(parsing: output)
            #expect(report["value"] == 5, "\(output)")
            let id = try #require(report["id"]?.stringValue, "\(output)")
            let eta = Date(timeIntervalSince1970: try #require(report["eta"]?.doubleValue, "\(output)"))
            try await Self.expectRun(id, noEarlierThan: eta, heldByBroker: true, log: log)
        }
    }

    /// A Swift client's absolute-ETA task (`TaskSendOptions.eta`), run by a Python worker on a
    /// quorum queue: 3 s in the broker's delay levels, the rest in the worker.
    @Test func aSwiftETARunsOnAPythonWorker() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let (worker, log) = try await Self.startPythonWorker(broker: broker)
            defer { worker.stop() }
            let app = try Self.quorumApp(broker: broker)
            defer { Task { await app.close() } }
            var options = TaskSendOptions()
            options.eta = Self.eta(in: 3.5)
            let result = try await app.send("fix.add", args: [40, 2], options: options)
            #expect(try await result.get(timeout: 30) == 42)
            try await Self.expectRun(result.id, noEarlierThan: options.eta!, heldByBroker: true, log: log)
        }
    }

    /// `celeriac call --eta` with quorum settings, run by a Python worker: the command line
    /// takes the same native delayed delivery as the API.
    @Test func aCallWithAnETARunsOnAPythonWorker() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let (worker, log) = try await Self.startPythonWorker(broker: broker)
            defer { worker.stop() }
            let config = try Self.writeSettings()
            let eta = Self.eta(in: 3.5)
            let call = try await CeleriacBinary.runDetached([
                "call", "fix.add", "--args", "[40, 2]", "--eta", CeleryTime.format(eta), "-b", broker, "--config", config,
                "--wait", "--timeout", "30",
            ])
            #expect(call.status == 0, "\(call.stdout) \(call.stderr)")
            let lines = call.stdout.split(separator: "\n").map(String.init)
            #expect(lines.count == 2 && lines.last == "SUCCESS: 42", "\(call.stdout) \(call.stderr)")
            let id = try #require(lines.first, "\(call.stdout) \(call.stderr)")
            try await Self.expectRun(id, noEarlierThan: eta, heldByBroker: true, log: log)
        }
    }

    /// Classic and quorum queues side by side, as Celery declares them: the default queue
    /// takes task_default_queue_type, another queue of the same worker stays classic (Celery's
    /// task_create_missing_queue_type default); tasks run from both.
    @Test func classicAndQuorumQueuesSideBySide() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("mixed-\(UUID().uuidString.prefix(6)).toml").path
            try """
                task_default_queue_type = "quorum"
                result_backend = "rpc://"
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("mixed-\(UUID().uuidString).log").path
            let worker = try BackgroundProcess(
                "/bin/bash",
                arguments: [PythonCluster.interop.appendingPathComponent("run_until_eof.sh").path, CeleriacBinary.url.path,
                            "worker", "-A", "demo", "-Q", "celery,reports", "-n", "mixed@localhost", "-b", broker,
                            "--config", config],
                logFile: log)
            defer { worker.stop() }
            _ = try await WorkerInteropTests.waitForLog(log, toContain: WorkerInteropTests.readyLine)

            var configuration = try CeleriacConfiguration.load(file: config, environment: [:], flags: ["broker_url": broker])
            configuration.resultBackend = "rpc://"
            let app = App(configuration)
            defer { Task { await app.close() } }
            let quorum = try await app.send("demo.add", args: [2, 3])
            let classic = try await app.send("demo.mul", args: [3, 4], options: TaskSendOptions(queue: "reports"))
            #expect(try await quorum.get(timeout: 30) == 5)
            #expect(try await classic.get(timeout: 30) == 12)

            if CeleriacBinary.environment["CELERIAC_TEST_BROKER"] != "celeriac" {  // celeriac broker: classic either way
                // RabbitMQ refuses a redeclaration of another type, naming the type it has.
                let transport = try await app.transport()
                await #expect { try await transport.declare(QueueDeclaration.taskQueue("celery", shape: TaskQueueShape(type: .classic))) } throws: {
                    "\($0)".contains("x-queue-type")
                }
                await #expect { try await transport.declare(QueueDeclaration.taskQueue("reports", shape: TaskQueueShape(type: .quorum))) } throws: {
                    "\($0)".contains("x-queue-type")
                }
            }
        }
    }

    /// `celeriac call --queue-type quorum` declares the queue it sends to as a quorum queue,
    /// without a configuration file: RabbitMQ then refuses a classic declaration of it.
    @Test func aCallDeclaresAQuorumQueueWithQueueType() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let queue = "called-\(UUID().uuidString.prefix(6).lowercased())"
            let call = try await CeleriacBinary.runDetached([
                "call", "demo.add", "--args", "[1, 2]", "-Q", queue, "--queue-type", "quorum", "-b", broker,
            ])
            #expect(call.status == 0, "\(call.stdout) \(call.stderr)")
            var configuration = CeleriacConfiguration()
            configuration.brokerURL = broker
            let app = App(configuration)
            defer { Task { await app.close() } }
            let counts = try await app.transport().declare(QueueDeclaration(name: queue, passive: true))
            #expect(counts.messages == 1)

            if CeleriacBinary.environment["CELERIAC_TEST_BROKER"] != "celeriac" {  // celeriac broker: classic either way
                await #expect { try await app.transport().declare(QueueDeclaration.taskQueue(queue, shape: TaskQueueShape(type: .classic))) } throws: {
                    "\($0)".contains("x-queue-type")
                }
            }
        }
    }

    /// The suite's settings in a configuration file of their own, for a worker or `celeriac call`.
    static func writeSettings() throws -> String {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("quorum-\(UUID().uuidString.prefix(6)).toml").path
        try settings.write(toFile: config, atomically: true, encoding: .utf8)
        return config
    }

    /// A client app with the suite's settings.
    static func quorumApp(broker: String) throws -> App {
        var configuration = try CeleriacConfiguration.load(file: nil, environment: [:], flags: ["broker_url": broker])
        configuration.defaultQueueType = .quorum
        configuration.defaultExchangeType = "topic"
        configuration.resultBackend = "rpc://"
        return App(configuration)
    }

    /// Python Celery 5.7's worker (Tests/Interop/fixapp.py) on a quorum "celery" queue, ready.
    static func startPythonWorker(broker: String) async throws -> (BackgroundProcess, String) {
        var environment = ProcessInfo.processInfo.environment
        environment["CELERIAC_TEST_AMQP_URL"] = broker
        environment["CELERIAC_TEST_QUEUE_TYPE"] = "quorum"
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("py-quorum-\(UUID().uuidString).log").path
        let worker = try BackgroundProcess("/bin/bash", arguments: [
            PythonCluster.interop.appendingPathComponent("run_worker.sh").path, "py-quorum@localhost", "celery",
        ], environment: environment, logFile: log)
        do {
            // As long as a Swift worker gets: on CI's loaded machine one of these once wrote
            // nothing at all, not even Celery's first warning, for 30 s.
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "ready", timeout: 60)
        } catch {
            worker.stop()
            throw error
        }
        return (worker, log)
    }

    /// `seconds` from now, cut to whole milliseconds: worker logs stamp their lines to the
    /// millisecond, so a run at the ETA or later never shows a stamp before it.
    static func eta(in seconds: Double) -> Date {
        Date(timeIntervalSince1970: ((Date().timeIntervalSince1970 + seconds) * 1000).rounded(.down) / 1000)
    }

    /// From a worker's log (Celery's format, which both workers write): the task started no
    /// earlier than `eta` — its "succeeded in R s" line's stamp less R — and, when the broker
    /// held it in native delayed delivery, it reached the worker no earlier than a second
    /// before the ETA (the client sends int(eta − now) seconds of delay; a worker that held it
    /// instead would have received it at once).
    static func expectRun(_ id: String, noEarlierThan eta: Date, heldByBroker: Bool, log path: String) async throws {
        let log = try await WorkerInteropTests.waitForLog(path, toContain: "[\(id)] succeeded in ")
        let lines = log.split(separator: "\n").map(String.init)
        let succeeded = try #require(lines.first { $0.contains("[\(id)] succeeded in ") })
        let finished = try #require(logStamp(succeeded), "\(succeeded)")
        let runtimeText = succeeded.components(separatedBy: "succeeded in ")[1].components(separatedBy: "s:")[0]
        let runtime = try #require(Double(runtimeText), "\(succeeded)")
        let started = finished.addingTimeInterval(-runtime)
        // 1 ms: the stamp is cut to the millisecond after the run, the runtime is not.
        #expect(started >= eta.addingTimeInterval(-0.001),
                "started \(eta.timeIntervalSince(started)) s before its ETA \(CeleryTime.format(eta)): \(succeeded)")
        if heldByBroker {
            let receivedLine = try #require(lines.first { $0.contains("[\(id)] received") }, "\(log.suffix(2000))")
            let received = try #require(logStamp(receivedLine), "\(receivedLine)")
            #expect(received >= eta.addingTimeInterval(-1.001),
                    "received \(eta.timeIntervalSince(received)) s before its ETA: not held by the broker: \(receivedLine)")
        }
    }

    /// The time a worker log line was written: `[2026-11-25 21:00:00,123: INFO/…] …`, local time.
    static func logStamp(_ line: String) -> Date? {
        guard line.hasPrefix("["), line.count > 24 else { return nil }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone.current
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss,SSS"
        return formatter.date(from: String(line.dropFirst().prefix(23)))
    }

    static func python(_ arguments: [String], broker: String) async throws -> String {
        var environment = ProcessInfo.processInfo.environment
        environment["CELERIAC_TEST_AMQP_URL"] = broker
        environment["CELERIAC_TEST_QUEUE_TYPE"] = "quorum"
        let settings = environment
        let output = try await detached {
            try ChildProcess.run(["python3"] + arguments, environment: settings, directory: PythonCluster.interop.path)
        }
        guard output.status == 0 else { throw WorkerTestError("python3 \(arguments): \(output.stderr.suffix(2000))") }
        return output.stdout
    }
}
