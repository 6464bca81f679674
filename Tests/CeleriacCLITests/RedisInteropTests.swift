import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// Python Celery 5.7's Redis result backend and the Swift worker's, on one Redis: a Python
/// caller gets the Swift worker's results with AsyncResult.get (pub/sub on the key), reads
/// a result Swift stored, and stores one Swift reads back. Runs on either broker.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil
                && CeleriacBinary.environment["CELERIAC_TEST_REDIS_URL"] != nil),
       .timeLimit(.minutes(2)))
struct RedisInteropTests {
    @Test func pythonAndSwiftShareCelerysRedisResults() async throws {
        let redis = try #require(CeleriacBinary.environment["CELERIAC_TEST_REDIS_URL"])
        try await WorkerInteropTests.withVirtualHost { broker in
            let (queue, _) = WorkerInteropTests.names("redis")
            let (worker, log) = try await WorkerInteropTests.startReadyWorker(queue: queue, broker: broker,
                                                                            extra: ["--result-backend", redis])
            defer { worker.stop() }
            let backend = try RedisResultBackend(url: redis)
            let swiftStored = UUID().uuidString.lowercased()
            try await backend.store(ResultMeta(taskID: swiftStored, status: .success, result: ["from": "swift"], dateDone: Date()))

            let output = try await detached {
                try ChildProcess.run(["python3", PythonCluster.interop.appendingPathComponent("redis_results.py").path,
                                      "--broker", broker, "--queue", queue, "--redis", redis, "--swift-stored", swiftStored])
            }
            let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            try #require(output.status == 0, "\(output.stderr.suffix(1500))\nworker log:\n\(workerLog.suffix(1500))")
            let reply = try JSONValue(parsing: output.stdout)
            #expect(reply["add"] == 5, "\(reply)")
            #expect(reply["fail"]?["error"] == "ValueError" && reply["fail"]?["message"] == "boom ✗", "\(reply)")
            #expect(reply["swift_stored"]?["state"] == "SUCCESS" && reply["swift_stored"]?["result"]?["from"] == "swift", "\(reply)")

            let pythonStored = try #require(reply["python_stored"]?.stringValue)
            let meta = try await backend.meta(for: pythonStored)
            #expect(meta?.status == .success && meta?.result["n"] == 7 && meta?.result["from"] == "python", "\(String(describing: meta))")
            await backend.close()
        }
    }
}
