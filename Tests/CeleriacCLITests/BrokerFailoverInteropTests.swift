import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// A failover list across two real brokers — a `celeriac broker` of the test's own, then the
/// test peer — with a worker and the dashboard on it: when the first broker is killed, both
/// move to the second by themselves, the worker consumes there, and the header says where.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .serialized,
       .timeLimit(.minutes(3)))
struct BrokerFailoverInteropTests {
    /// A failover list whose first broker is down: the connections behind the dashboard warn
    /// as they pass it over, and none of it may reach the terminal the dashboard draws on.
    @Test func aDeadFirstBrokerLeavesTheScreenClean() async throws {
        let live = try #require(CeleriacBinary.amqpURL)
        let tmux = try TmuxSession(command: [CeleriacBinary.url.path, "top", "-b", "amqp://guest:guest@127.0.0.1:1//;" + live],
                                   environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
        defer { tmux.kill() }
        // The queue panel names its source once the poller, with connections of its own, ran.
        let screen = try await detached {
            try tmux.waitFor("the first poll", timeout: 30) { $0.contains("connected to") && $0.contains("QUEUES — passive declares") }
        }
        #expect(!screen.contains("celeriac.broker:") && !screen.contains("cannot connect to"), "\(screen)")
    }

    @Test func theWorkerAndTheDashboardMoveToTheNextBroker() async throws {
        try await WorkerInteropTests.withVirtualHost { second in
            let data = FileManager.default.temporaryDirectory.appendingPathComponent("failover-\(UUID().uuidString)").path
            let first = try await BrokerProcess.start(dataDirectory: data)
            defer {
                first.killIfRunning()
                try? FileManager.default.removeItem(atPath: data)
            }
            let failover = first.url + ";" + second
            let (worker, log) = try await WorkerInteropTests.startReadyWorker(queue: "celery", broker: failover)
            defer { worker.stop() }
            let tmux = try TmuxSession(command: [CeleriacBinary.url.path, "top", "-b", failover],
                                       environment: ["TERM": "xterm-256color", "LANG": "C.UTF-8"])
            defer { tmux.kill() }
            let before = try await detached {
                try tmux.waitFor("the first broker in the header", timeout: 20) { $0.contains("connected to 127.0.0.1:\(first.port)") }
            }
            #expect(before.contains("+1"), "the header counts the failover broker: \(before)")

            try await first.kill9()
            let secondPort = URLComponents(string: second)?.port ?? 0
            // Round-robin: the next broker first, so the worker says where it went.
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "Connected to the broker again at 127.0.0.1:\(secondPort)",
                                                        timeout: 60)
            let moved = try await detached {
                try tmux.waitFor("the second broker in the header", timeout: 60) { $0.contains("connected to 127.0.0.1:\(secondPort)") }
            }
            // The failover's "cannot connect" warnings once went to the terminal, over the screen.
            #expect(!moved.contains("celeriac.broker:") && !moved.contains("cannot connect to amqp"), "\(moved)")

            // The worker consumes on the second broker: a task sent there runs.
            var configuration = CeleriacConfiguration()
            configuration.brokerURL = second
            configuration.resultBackend = "rpc://"
            let app = App(configuration)
            defer { Task { await app.close() } }
            let result = try await app.send("demo.add", args: [20, 22])
            #expect(try await result.get(timeout: 30) == 42)
        }
    }
}
