import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// Celery's canvas, built in Python, run by the Swift worker: a chain passes each result on
/// to the next task, a link callback runs with its parent's result, and a link_error errback
/// runs when its task fails.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .timeLimit(.minutes(2)))
struct CanvasInteropTests {
    @Test func aPythonChainAndLinkRunOnTheSwiftWorker() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let (queue, _) = WorkerInteropTests.names("canvas")
            let (worker, log) = try await WorkerInteropTests.startReadyWorker(queue: queue, broker: broker)
            defer { worker.stop() }
            let output = try await detached {
                try ChildProcess.run(["python3", PythonCluster.interop.appendingPathComponent("canvas_demo.py").path,
                                      "--broker", broker, "--queue", queue])
            }
            let workerLog = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            try #require(output.status == 0, "\(output.stderr.suffix(1500))\nworker log:\n\(workerLog.suffix(1500))")
            let reply = try JSONValue(parsing: output.stdout)
            #expect(reply["chain"] == 35, "\(reply)")
            #expect(reply["parent"] == 2 && reply["callback"] == 20, "\(reply)")
            #expect(reply["failed"] == "ValueError" && reply["errback"] == 42, "\(reply)")
        }
    }
}
