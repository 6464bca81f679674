import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// Quorum task queues and Celery's native delayed delivery, between Python Celery 5.7 and
/// Celeriac in both directions: a countdown task waits in the broker's delay levels, not in
/// a worker, and runs when it is due.
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
            let config = FileManager.default.temporaryDirectory.appendingPathComponent("quorum-\(UUID().uuidString.prefix(6)).toml").path
            try Self.settings.write(toFile: config, atomically: true, encoding: .utf8)
            let (worker, log) = try await WorkerInteropTests.startReadyWorker(queue: "celery", broker: broker,
                                                                              extra: ["--config", config])
            defer { worker.stop() }
            let startLog = try String(contentsOfFile: log, encoding: .utf8)
            #expect(startLog.contains("Native delayed delivery: on"), "\(startLog.suffix(2000))")
            let output = try await Self.python(["quorum_countdown.py", "demo.add", "2", "3", "3"], broker: broker)
            let report = try JSONValue(parsing: output)
            #expect(report["value"] == 5, "\(output)")
            #expect((report["elapsed"]?.doubleValue ?? 0) >= 2.9, "ran before its countdown: \(output)")
            #expect(report["held"] == 1, "the task did not wait in the broker's delay level: \(output)")
        }
    }

    /// A Swift client's countdown task, run by a Python worker on a quorum queue; the queue
    /// really is a quorum queue (a classic redeclaration is refused).
    @Test func aSwiftCountdownRunsOnAPythonWorker() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            var environment = ProcessInfo.processInfo.environment
            environment["CELERIAC_TEST_AMQP_URL"] = broker
            environment["CELERIAC_TEST_QUEUE_TYPE"] = "quorum"
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("py-quorum-\(UUID().uuidString).log").path
            let worker = try BackgroundProcess("/bin/bash", arguments: [
                PythonCluster.interop.appendingPathComponent("run_worker.sh").path, "py-quorum@localhost", "celery",
            ], environment: environment, logFile: log)
            defer { worker.stop() }
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "ready", timeout: 30)

            var configuration = try CeleriacConfiguration.load(file: nil, environment: [:], flags: ["broker_url": broker])
            configuration.defaultQueueType = .quorum
            configuration.defaultExchangeType = "topic"
            configuration.resultBackend = "rpc://"
            let app = App(configuration)
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
