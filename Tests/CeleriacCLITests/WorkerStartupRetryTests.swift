import CeleriacTestSupport
import Foundation
import Testing

/// A worker started before its broker keeps trying, as Celery's does
/// (broker_connection_retry_on_startup), and comes up once the broker does; with the retry
/// turned off it exits at once, naming the broker.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil), .serialized, .timeLimit(.minutes(3)))
struct WorkerStartupRetryTests {
    @Test func aWorkerStartedBeforeItsBrokerWaitsForIt() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("startup-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        // A port that a broker had a moment ago and nothing listens on now.
        let earlier = try await BrokerProcess.start(dataDirectory: data)
        let port = earlier.port, url = earlier.url
        try await earlier.kill9()

        let (queue, _) = WorkerInteropTests.names("startup")
        let (worker, log) = try WorkerInteropTests.startWorker(queue: queue, broker: url)
        defer { worker.stop() }
        let waiting = try await WorkerInteropTests.waitForLog(log, toContain: "Trying again in 2.00 seconds... (1/100)")
        #expect(waiting.contains("consumer: Cannot connect to the broker") && waiting.contains("127.0.0.1:\(port)"),
                "the line names the broker: \(waiting.suffix(1000))")
        #expect(!waiting.contains(WorkerInteropTests.readyLine))

        let broker = try await BrokerProcess.start(dataDirectory: data, port: port)
        defer { broker.killIfRunning() }
        _ = try await WorkerInteropTests.waitForLog(log, toContain: WorkerInteropTests.readyLine, timeout: 60)
        let result = try await CeleriacBinary.runDetached(["call", "demo.add", "--args", "[20, 22]", "-Q", queue, "-b", url,
                                                           "--result-backend", "rpc://", "--wait", "--timeout", "20"])
        #expect(result.status == 0 && result.stdout.contains("42"), "\(result.stderr)")
    }

    /// The worker opens two connections (one consumes, one publishes). A broker that refuses
    /// the second is tried again as at start, not taken for a fatal error.
    @Test func aWorkerWhoseSecondConnectionIsRefusedTriesAgain() async throws {
        let live = try #require(CeleriacBinary.amqpURL)
        var relayed = try #require(URLComponents(string: live))
        let proxy = try await KillableProxy(targetHost: relayed.host ?? "127.0.0.1", targetPort: relayed.port ?? 5672,
                                            refusing: [2])
        defer { Task { await proxy.shutdown() } }
        relayed.host = "127.0.0.1"
        relayed.port = proxy.port
        let url = try #require(relayed.string)

        let (queue, _) = WorkerInteropTests.names("startup-second")
        try await WorkerInteropTests.withReadyWorker(queue: queue, broker: url) { log in
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(text.contains("consumer: Cannot connect to the broker") && text.contains("Trying again in"),
                    "the refused connection was retried: \(text.suffix(1000))")
            // Its result comes back on the publishing connection, the one opened on the second try.
            let result = try await CeleriacBinary.runDetached(["call", "demo.add", "--args", "[20, 22]", "-Q", queue, "-b", live,
                                                               "--result-backend", "rpc://", "--wait", "--timeout", "20"])
            #expect(result.status == 0 && result.stdout.contains("42"), "\(result.stderr)")
        }
    }

    @Test func withoutRetriesOnStartupTheWorkerExitsNamingTheBroker() async throws {
        let data = FileManager.default.temporaryDirectory.appendingPathComponent("startup-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: data) }
        let earlier = try await BrokerProcess.start(dataDirectory: data)
        let (port, url) = (earlier.port, earlier.url)
        try await earlier.kill9()

        let (queue, _) = WorkerInteropTests.names("startup-off")
        let (worker, log) = try WorkerInteropTests.startWorker(queue: queue, broker: url,
                                                               environment: ["CELERIAC_BROKER_CONNECTION_RETRY_ON_STARTUP=false"])
        // Its error names the broker; the process has ended by itself, with a failure.
        let text = try await WorkerInteropTests.waitForLog(log, toContain: "127.0.0.1:\(port)")
        let status = try await detached { worker.stop() }
        #expect(status != 0, "\(text.suffix(1000))")
        #expect(!text.contains("Trying again") && !text.contains(WorkerInteropTests.readyLine), "\(text.suffix(1000))")
    }
}
