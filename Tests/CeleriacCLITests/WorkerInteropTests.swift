import CeleriacTestSupport
import Foundation
import Testing

/// `celeriac worker -A demo` on RabbitMQ, called by a real Python Celery 5.7 client through
/// rpc://: results, raised errors, unknown tasks and bad arguments come back as Celery's
/// worker would send them, and Celery's own event receiver and State read every event.
/// The broker URL is a parameter, so the broker issue re-runs it.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil), .serialized)
struct WorkerInteropTests {
    /// `celeriac worker -A demo -E` on `queue`, stopped (SIGTERM) when the test stops it or
    /// ends; its log goes to the returned file.
    static func startWorker(queue: String, broker: String, concurrency: Int = 4) throws -> (BackgroundProcess, String) {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("\(queue).log").path
        let worker = try BackgroundProcess(
            "/bin/bash",
            arguments: [PythonCluster.interop.appendingPathComponent("run_until_eof.sh").path, CeleriacBinary.url.path,
                        "worker", "-A", "demo", "-Q", queue, "-E", "-c", "\(concurrency)",
                        "-n", "swift-\(queue)@localhost", "-b", broker, "--result-backend", "rpc://"],
            logFile: log)
        return (worker, log)
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

    /// SIGTERM while a task runs: it finishes, its result reaches the caller, the worker
    /// exits 0 (Celery's warm shutdown).
    @Test func aWarmShutdownFinishesTheRunningTask() async throws {
        let broker = CeleriacBinary.amqpURL!
        let queue = "warm-\(UUID().uuidString.prefix(8).lowercased())"
        let (worker, log) = try Self.startWorker(queue: queue, broker: broker)
        _ = try await Self.waitForLog(log, toContain: "ready")
        async let call = CeleriacBinary.runDetached(["call", "demo.sleep", "--args", "[1.5]", "-Q", queue, "-b", broker,
                                                     "--result-backend", "rpc://", "--wait", "--timeout", "30"])
        _ = try await Self.waitForLog(log, toContain: "demo.sleep[")
        let status = try await detached { worker.stop() }
        let result = try await call
        let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(status == 0, "\(workerLog.suffix(2000))")
        #expect(result.status == 0 && result.stdout.contains("1.5"), "\(result.stderr)\n\(workerLog.suffix(2000))")
        #expect(workerLog.contains("succeeded in") && workerLog.contains("stopped after 1 tasks"), "\(workerLog.suffix(2000))")
    }

    @Test func aPythonClientCallsTheDemoTasks() async throws {
        let broker = CeleriacBinary.amqpURL!
        let queue = "demo-\(UUID().uuidString.prefix(8).lowercased())"
        let (worker, log) = try Self.startWorker(queue: queue, broker: broker)
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
        #expect(workerLog.contains("received unregistered task of type 'demo.nope'"), "\(workerLog.suffix(2000))")

        let events = reply["events"] as? [String: Any] ?? [:]
        let states = events["states"] as? [String: String] ?? [:]
        #expect(states["add"] == "SUCCESS" && states["fail"] == "FAILURE" && states["expired"] == "REVOKED", "\(events)")
        #expect(states.count == 12 && states.values.allSatisfy { ["SUCCESS", "FAILURE", "REVOKED"].contains($0) }, "\(events)")
        #expect((events["workers"] as? [String: Bool])?["swift-\(queue)@localhost"] == true, "\(events)")
        let types = events["types"] as? [String: Int] ?? [:]
        #expect(types["task-received"] == 12 && types["task-succeeded"] == 9 && types["task-failed"] == 3, "\(types)")
        #expect(types["task-progress"] == 3 && types["task-revoked"] == 1, "\(types)")
    }
}

struct WorkerTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
