import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// `celeriac worker --queue-type quorum`, the command-line flag rather than the
/// task_default_queue_type setting: every queue the worker declares — the default one and
/// one named with -Q — is a quorum queue on RabbitMQ, and `celeriac call`, which has no
/// such flag and no quorum settings, sends to them: it finds the queue there and does not
/// redeclare it.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .serialized,
       .timeLimit(.minutes(3)))
struct QuorumQueueTypeFlagTests {
    @Test func theWorkerFlagDeclaresQuorumQueuesThatCallSendsTo() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let queue = "flagged-\(UUID().uuidString.prefix(8).lowercased())"
            let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(queue).log").path
            let worker = try BackgroundProcess(
                "/bin/bash",
                arguments: [PythonCluster.interop.appendingPathComponent("run_until_eof.sh").path, CeleriacBinary.url.path,
                            "worker", "-A", "demo", "-Q", "celery,\(queue)", "-n", "\(queue)@localhost", "-b", broker,
                            "--result-backend", "rpc://", "--queue-type", "quorum"],
                logFile: log)
            defer { worker.stop() }
            _ = try await WorkerInteropTests.waitForLog(log, toContain: WorkerInteropTests.readyLine, timeout: 60)

            if CeleriacBinary.environment["CELERIAC_TEST_BROKER"] != "celeriac" {  // celeriac broker: classic either way
                // Declared before any client touched them. RabbitMQ takes a quorum
                // redeclaration and refuses a classic one, naming the type the queue has.
                let app = App(try CeleriacConfiguration.load(file: nil, environment: [:], flags: ["broker_url": broker]))
                defer { Task { await app.close() } }
                let transport = try await app.transport()
                for name in ["celery", queue] {
                    try await transport.declare(QueueDeclaration.taskQueue(name, shape: TaskQueueShape(type: .quorum)))
                    await #expect("\(name) is not a classic queue") {
                        try await transport.declare(QueueDeclaration.taskQueue(name, shape: TaskQueueShape(type: .classic)))
                    } throws: {
                        "\($0)".contains("x-queue-type")
                    }
                }
            }

            let named = try await CeleriacBinary.runDetached([
                "call", "demo.add", "--args", "[2, 3]", "-Q", queue, "-b", broker, "--result-backend", "rpc://",
                "--wait", "--timeout", "30",
            ])
            #expect(named.status == 0 && named.stdout.hasSuffix("SUCCESS: 5\n"), "\(named.stdout) \(named.stderr)")
            let byDefault = try await CeleriacBinary.runDetached([
                "call", "demo.mul", "--args", "[3, 4]", "-b", broker, "--result-backend", "rpc://", "--wait", "--timeout", "30",
            ])
            #expect(byDefault.status == 0 && byDefault.stdout.hasSuffix("SUCCESS: 12\n"),
                    "\(byDefault.stdout) \(byDefault.stderr)")

            // An ETA from a client that does not know the queue is a quorum queue goes to it
            // directly (no delayed delivery without quorum settings, as in Celery); the worker
            // holds it until it is due.
            let eta = QuorumInteropTests.eta(in: 2.5)
            let timed = try await CeleriacBinary.runDetached([
                "call", "demo.add", "--args", "[20, 22]", "-Q", queue, "--eta", CeleryTime.format(eta), "-b", broker,
                "--result-backend", "rpc://", "--wait", "--timeout", "30",
            ])
            #expect(timed.status == 0 && timed.stdout.hasSuffix("SUCCESS: 42\n"), "\(timed.stdout) \(timed.stderr)")
            let id = try #require(timed.stdout.split(separator: "\n").first.map(String.init))
            try await QuorumInteropTests.expectRun(id, noEarlierThan: eta, heldByBroker: false, log: log)
        }
    }
}
