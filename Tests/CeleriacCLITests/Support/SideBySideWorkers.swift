import CeleriacTestSupport
import Foundation

/// A Swift worker and a Python Celery 5.7 worker (Tests/Interop/fixapp.py) side by side on a
/// vhost of their own, each on its own queue, both storing results in the test's Redis: the
/// ground of the cross-language canvas tests.
struct SideBySideWorkers {
    let broker: String
    let redis: String
    let swiftQueue: String
    let pythonQueue: String
    let swiftLog: String
    let pythonLog: String

    /// The end of both workers' logs, for a failed expectation's message.
    func logs() -> String {
        [swiftLog, pythonLog].map { String(((try? String(contentsOfFile: $0, encoding: .utf8)) ?? "").suffix(1500)) }
            .joined(separator: "\n--- python worker ---\n")
    }

    /// Starts both (named after `prefix`), runs `body`, stops both.
    static func run(_ prefix: String, redis: String, _ body: (SideBySideWorkers) async throws -> Void) async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let (swiftQueue, _) = WorkerInteropTests.names("\(prefix)-swift")
            let pythonQueue = "\(prefix)-python-\(UUID().uuidString.prefix(8).lowercased())"
            // Queues with priorities, as fixapp's worker declares them: each worker sends
            // callbacks and chord bodies to the other's queue, and every declaration must agree.
            let (worker, swiftLog) = try await WorkerInteropTests.startReadyWorker(
                queue: swiftQueue, broker: broker, extra: ["--result-backend", redis],
                environment: ["CELERIAC_TASK_QUEUE_MAX_PRIORITY=10"])
            defer { worker.stop() }
            let pythonLog = FileManager.default.temporaryDirectory.appendingPathComponent("\(pythonQueue).log").path
            var environment = ProcessInfo.processInfo.environment
            environment["CELERIAC_TEST_AMQP_URL"] = broker
            environment["CELERIAC_TEST_RESULT_BACKEND"] = redis
            let python = try BackgroundProcess("/bin/bash", arguments: [
                PythonCluster.interop.appendingPathComponent("run_worker.sh").path, "py-\(pythonQueue)@localhost", pythonQueue,
            ], environment: environment, logFile: pythonLog)
            defer { python.stop() }
            try await body(SideBySideWorkers(broker: broker, redis: redis, swiftQueue: swiftQueue, pythonQueue: pythonQueue,
                                             swiftLog: swiftLog, pythonLog: pythonLog))
        }
    }
}
