import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// A beat has a mailbox on the pidbox, as a worker has, but answers only what names it:
/// Python Celery 5.7's `celery inspect ping` and `celery status` on the same broker list the
/// worker and no beat, and a request addressed to another node gets no answer from it.
extension BeatTests {
    /// `celery -A fixapp ARGUMENTS` from Tests/Interop on `broker`.
    static func celery(_ arguments: [String], broker: String) async throws -> ChildProcess.Output {
        var environment = ProcessInfo.processInfo.environment
        environment["CELERIAC_TEST_AMQP_URL"] = broker
        let (directory, settings) = (PythonCluster.interop.path, environment)
        return try await detached {
            try ChildProcess.run(["python3", "-m", "celery", "-A", "fixapp"] + arguments, environment: settings, directory: directory)
        }
    }

    @Test func aBeatStaysSilentOnRequestsNotAddressedToIt() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let (queue, workerNode) = WorkerInteropTests.names("beat-silent")
            let (worker, _) = try await WorkerInteropTests.startReadyWorker(queue: queue, broker: broker)
            defer { worker.stop() }
            let config = try Self.configuration(broker: broker, pythonQueue: "nobody-\(UUID().uuidString.prefix(6))", in: directory)
            let log = directory + "/beat.log"
            let beat = try Self.startBeat(config: config, schedule: directory + "/schedule.json", log: log, pidFile: directory + "/beat.pid")
            defer { beat.stop() }
            try await Self.waitForSends(log, entry: "swift-add", count: 1)
            let beatNode = "beat.schedule@\(ProcessInfo.processInfo.hostName)"

            var configuration = CeleriacConfiguration()
            configuration.brokerURL = broker
            let app = App(configuration)
            defer { Task { await app.close() } }
            let control = try await app.control()
            // First, that the beat's mailbox is open: it answers a request that names it.
            let listed = try await control.broadcast(PidboxRequest(method: "beat_list", arguments: [:], destination: [beatNode]),
                                                     timeout: 10, limit: 1)
            #expect(listed.first?.node == beatNode && listed.first?.reply["entries"] != nil, "\(listed)")

            // Celery's own tools: the worker answers, the beat is not among the nodes.
            let ping = try await Self.celery(["inspect", "ping", "--json", "--timeout", "3"], broker: broker)
            try #require(ping.status == 0, "celery inspect ping: \(ping.stderr)")
            let pinged = try #require(try JSONValue(parsing: ping.stdout).objectValue, "\(ping.stdout)")
            #expect(pinged.keys.sorted() == [workerNode], "celery inspect ping listed: \(pinged.keys.sorted())")
            #expect(pinged[workerNode]?["ok"] == "pong", "\(ping.stdout)")
            let status = try await Self.celery(["status", "--timeout", "3"], broker: broker)
            try #require(status.status == 0, "celery status: \(status.stderr)")
            #expect(status.stdout.contains("1 node online"), "celery status counts the beat: \(status.stdout)")
            #expect(!status.stdout.contains("beat."), "\(status.stdout)")
            // Addressed to the worker, from Celery: the worker alone answers.
            let addressed = try await Self.celery(["inspect", "ping", "--json", "--timeout", "3", "-d", workerNode], broker: broker)
            #expect(try JSONValue(parsing: addressed.stdout).objectValue?.keys.sorted() == [workerNode], "\(addressed.stdout)")

            // Addressed to the worker, or to a node that does not exist, with beat's own
            // methods: the beat stays silent; only the worker answers what it was sent.
            for destination in [workerNode, "nobody@nowhere"] {
                for method in ["ping", "beat_list"] {
                    let replies = try await control.broadcast(PidboxRequest(method: method, arguments: [:], destination: [destination]),
                                                              timeout: 2)
                    #expect(!replies.contains { $0.node == beatNode }, "the beat answered \(method) for \(destination): \(replies)")
                    if destination == "nobody@nowhere" { #expect(replies.isEmpty, "\(method) for nobody: \(replies)") }
                }
            }
            let everyone = try await control.broadcast(.ping(), timeout: 2)
            #expect(everyone.map(\.node) == [workerNode], "a destination-less ping: \(everyone.map(\.node))")
        }
    }
}
