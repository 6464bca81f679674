import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// The dashboard's `R` retry on a Python cluster whose results go to Redis with
/// result_extended: a task a Python client sent and a Python Celery 5.7 worker
/// (Tests/Interop/fixapp.py) ran has arguments too long for the events' reprs (Celery cuts
/// them at 1024 characters), so only the meta the Python worker stored in Redis holds them.
/// `celeriac top --result-backend redis://…` in tmux retries it: the status line says the
/// arguments came from the result backend, and the retried task, run by the Python worker,
/// echoes exactly the original args and kwargs.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil
                && CeleriacBinary.environment["CELERIAC_TEST_REDIS_URL"] != nil),
       .timeLimit(.minutes(3)))
struct TopRetryRedisTests {
    @Test func retryTakesTheExactArgumentsAPythonWorkerStoredInRedis() async throws {
        let redis = try #require(CeleriacBinary.environment["CELERIAC_TEST_REDIS_URL"])
        try await WorkerInteropTests.withVirtualHost { broker in
            let node = "py-retry-\(UUID().uuidString.prefix(8).lowercased())@localhost"
            let pythonLog = FileManager.default.temporaryDirectory.appendingPathComponent("\(node).log").path
            var environment = ProcessInfo.processInfo.environment
            environment["CELERIAC_TEST_AMQP_URL"] = broker
            environment["CELERIAC_TEST_RESULT_BACKEND"] = redis
            let python = try BackgroundProcess("/bin/bash", arguments: [
                PythonCluster.interop.appendingPathComponent("run_worker.sh").path, node, "celery",
            ], environment: environment, logFile: pythonLog)
            defer { python.stop() }
            func pythonLogTail() -> String { String(((try? String(contentsOfFile: pythonLog, encoding: .utf8)) ?? "").suffix(2000)) }
            // The worker has declared its queue once it says it is ready: `celery call` below
            // must not publish to a queue that is not there yet.
            _ = try await WorkerInteropTests.waitForLog(pythonLog, toContain: " ready.", timeout: 60)

            // Wide enough that the status line (two ids and where the arguments came from) is whole.
            let tmux = try TmuxSession(command: [CeleriacBinary.url.path, "top", "-b", broker, "--result-backend", redis,
                                                 "--management-url", CeleriacBinary.managementURL!, "--poll-interval", "1"],
                                       columns: 240, environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
            defer { tmux.kill() }
            try await detached { try tmux.waitForDashboardConnected() }

            // Arguments the events cannot carry back: a string past saferepr's 1024 characters,
            // a float, nested values and non-ASCII keyword values.
            let long = String(repeating: "é", count: 1500) + "∎"
            let args: JSONValue = [.string(long), 0.1, ["nested": [1, .null, true]]]
            let kwargs: JSONValue = ["n": 1, "label": "✓ exact"]
            let sent = try await detached { [environment] in
                try ChildProcess.run(["python3", "-m", "celery", "-A", "fixapp", "call", "fix.echo_request",
                                      "--args", args.serialized, "--kwargs", kwargs.serialized],
                                     environment: environment, directory: PythonCluster.interop.path)
            }
            try #require(sent.status == 0, "\(sent.stderr)")
            let original = sent.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

            var configuration = CeleriacConfiguration()
            configuration.brokerURL = broker
            configuration.resultBackend = redis
            let app = App(configuration)
            defer { Task { await app.close() } }
            let stored = try await app.result(original).wait(timeout: 30)
            #expect(stored.status == .success && stored.args.map(JSONValue.array) == args && stored.kwargs.map(JSONValue.object) == kwargs,
                    "the Python worker stored the exact arguments (result_extended): \(stored.json)\n\(pythonLogTail())")

            let confirm = try await detached {
                try tmux.showTaskAlone(original, state: "SUCCESS")
                try tmux.send("Enter")
                _ = try tmux.waitFor(text: "timeline")
                try tmux.send("R")
                _ = try tmux.waitFor(text: "Retry fix.echo_request to queue")
                try tmux.send("Enter")
                return try tmux.waitFor(text: "[y/N]")
            }
            #expect(!confirm.contains("with its args"), "the events' reprs were cut, so the plan itself has no args:\n\(confirm)")
            let screen = try await detached {
                try tmux.send("y")
                return try tmux.waitFor(text: "sent as ")
            }
            let status = try #require(screen.split(separator: "\n").first { $0.contains("sent as ") }.map(String.init))
            #expect(status.contains("retry fix.echo_request[\(original)]") && status.contains("arguments from the result backend"),
                    "\(status)")
            let retried = try #require(status.components(separatedBy: "sent as ").last?.split(separator: " ").first.map(String.init))
            #expect(retried != original)

            // The Python worker ran the retried task: what it echoes is what the message carried.
            let echoed = try await app.result(retried).get(timeout: 30)
            #expect(echoed["args"] == args, "\(echoed["args"].map(\.serialized)?.prefix(200) ?? "none")\n\(pythonLogTail())")
            #expect(echoed["kwargs"] == kwargs, "\(echoed)")
        }
    }
}
