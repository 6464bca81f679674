@testable import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// The real peers Scripts/test.sh provides: a RabbitMQ node, and Python Celery 5.7 for the
/// interop tests. Without them these tests skip, unless CELERIAC_REQUIRE_PEERS=1 (CI).
enum Peers {
    static let environment = ProcessInfo.processInfo.environment
    static let amqpURL = environment["CELERIAC_TEST_AMQP_URL"]
    static let hasRabbitMQ = amqpURL != nil
    static let isRequired = environment["CELERIAC_REQUIRE_PEERS"] == "1"
    static let hasPythonCelery: Bool = {
        let check = try? ChildProcess.run(["python3", "-c", "import celery, sys; sys.exit(celery.__version__ != '5.7.0')"])
        return check?.status == 0
    }()

    static func configuration(resultBackend: String? = "rpc://") -> CeleriacConfiguration {
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = amqpURL ?? configuration.brokerURL
        configuration.resultBackend = resultBackend
        configuration.queueMaxPriority = 10  // as fixapp.py declares its queues
        return configuration
    }
}

@Test("Python Celery 5.7 and RabbitMQ are present when the run requires them")
func interopPeersArePresentWhenRequired() {
    if Peers.isRequired {
        #expect(Peers.hasRabbitMQ, "run the tests through Scripts/test.sh")
        #expect(Peers.hasPythonCelery, "pip install celery==5.7.0 (Scripts/test.sh does)")
    }
}

/// One real Python Celery worker (Tests/Interop/fixapp.py) for the whole test run, started
/// on first use; it stops when the test process exits and its stdin pipe closes.
actor PythonCeleryWorker {
    static let shared = PythonCeleryWorker()
    static let queues = ["celery", "fixq"]
    static let sharedNodeName = "fixw-\(UUID().uuidString.prefix(8))@localhost"
    nonisolated var nodeName: String { Self.sharedNodeName }
    private var started: Task<Void, any Error>?
    private var process: BackgroundProcess?

    /// Starts the worker and returns once it has announced itself (worker-online event).
    func ensureRunning() async throws {
        if started == nil {
            started = Task { try await start() }
        }
        try await started!.value
    }

    private func start() async throws {
        let app = App(Peers.configuration())
        let events = try await EventReceiver.events(on: app.transport(), routingKey: "worker.#")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Interop/run_worker.sh")
        process = try BackgroundProcess("/bin/bash", arguments: [script.path, nodeName,
                                                                  Self.queues.joined(separator: ",")])
        for try await event in events where event.kind == .workerOnline && event.hostname == nodeName {
            return
        }
        throw BrokerError.connectionLost(reason: "the Python worker never announced itself")
    }
}
