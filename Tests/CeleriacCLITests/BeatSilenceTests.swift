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

    /// Celery's own event receiver and `events.State` (what `celery events` and Flower build
    /// on) take a live beat's beat-* events without error and make no worker of it.
    static let celeryEventState = """
        import json, sys
        from celery import Celery

        app = Celery("watch", broker=sys.argv[1])
        state = app.events.State()
        seen = []
        with app.connection_for_read() as connection:
            receiver = app.events.Receiver(connection, handlers={"*": None})
            def on_event(event):
                seen.append(event["type"])
                state.event(event)
                # A beat-sent and, after it, a heartbeat: the beat says its schedule at once.
                if "beat-sent" in seen and "beat-heartbeat" in seen[seen.index("beat-sent"):]:
                    receiver.should_stop = True
            receiver.handlers["*"] = on_event
            receiver.capture(limit=None, timeout=30, wakeup=False)
        print(json.dumps({"types": sorted(set(seen)), "workers": sorted(state.workers),
                          "alive": sorted(w.hostname for w in state.alive_workers())}))
        """

    @Test func celerysEventStateMakesNoWorkerOfABeat() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let config = try Self.configuration(broker: broker, pythonQueue: "nobody-\(UUID().uuidString.prefix(6))", in: directory)
            let script = directory + "/celery_event_state.py"
            try Self.celeryEventState.write(toFile: script, atomically: true, encoding: .utf8)
            let watcherLog = directory + "/watcher.log"
            // The receiver first, so its queue is bound before the beat says anything.
            let watcher = try BackgroundProcess("/usr/bin/env", arguments: ["python3", "-u", script, broker], logFile: watcherLog)
            defer { watcher.stop() }
            let log = directory + "/beat.log"
            let beat = try Self.startBeat(config: config, schedule: directory + "/schedule.json", log: log, pidFile: directory + "/beat.pid")
            defer { beat.stop() }
            let output = try await WorkerInteropTests.waitForLog(watcherLog, toContain: "\"alive\"", timeout: 40)
            let line = try #require(output.split(separator: "\n").last { $0.contains("\"alive\"") })
            let report = try JSONValue(parsing: String(line))
            #expect(report["types"]?.arrayValue?.contains("beat-sent") == true, "\(output)")
            #expect(report["workers"] == [] && report["alive"] == [], "Celery's State made a worker of the beat: \(output)")
            #expect(!output.contains("Traceback"), "\(output)")
        }
    }
}
