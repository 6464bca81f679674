@testable import Celeriac
@testable import CeleriacMonitor
import Foundation
import Testing

/// Polls `condition` until it holds or `timeout` passes: the store has no change
/// notification, so its state is the event awaited.
func eventually(_ timeout: Double = 10, _ condition: () -> Bool) async throws -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try await Task.sleep(for: .milliseconds(20))  // the poll period, not a stand-in for an event
    }
    return condition()
}

@Suite struct EventFeedReconnectTests {
    /// A broker that refuses connections: the feed says it is reconnecting, counts attempts and
    /// never gives up or crashes.
    @Test func anUnreachableBrokerShowsAsReconnecting() async throws {
        let store = MonitorStore()
        let feed = EventFeed(store: store, maximumBackoff: 0.05) {
            try await AMQPTransport(url: "amqp://guest:guest@127.0.0.1:1//")
        }
        let running = Task { await feed.run() }
        defer { running.cancel() }
        let reconnecting = try await eventually(60) {
            if case .reconnecting(let attempt, let reason, _) = store.read({ $0.connection }) {
                return attempt >= 2 && reason.contains("127.0.0.1")
            }
            return false
        }
        #expect(reconnecting, "\(store.read { $0.connection })")
    }
}

@Suite(.enabled(if: ProcessInfo.processInfo.environment["CELERIAC_TEST_AMQP_URL"] != nil), .timeLimit(.minutes(1)))
struct MonitorLiveTests {
    let url = ProcessInfo.processInfo.environment["CELERIAC_TEST_AMQP_URL"] ?? ""

    var configuration: CeleriacConfiguration {
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = url
        return configuration
    }

    /// A monitor on the test broker that only listens (no enable_events, no polls), once its
    /// event feed is connected.
    func connectedMonitor() async throws -> Monitor {
        var options = MonitorOptions()
        options.enableEvents = false
        options.pollInterval = 60
        let monitor = Monitor(configuration: configuration, options: options)
        try monitor.start { [url] in try await AMQPTransport(url: url) }
        // Generous: the whole suite runs at once on two cores, and a connection waits its turn.
        #expect(try await eventually(30) { monitor.store.read { $0.connection.isConnected } })
        return monitor
    }

    /// Events published on the broker reach the store, single and batched, and the connection
    /// shows as connected.
    @Test func eventsFlowIntoTheStore() async throws {
        let monitor = try await connectedMonitor()
        let app = App(configuration)
        let host = "live-\(UUID().uuidString.prefix(6))@test"
        let publisher = EventPublisher(transport: try await app.transport(), hostname: host)
        let id = UUID().uuidString
        try await publisher.publish("task-received", fields: ["uuid": .string(id), "name": "fix.add", "args": "(2, 3)"])
        try await publisher.publish("task-succeeded", fields: ["uuid": .string(id), "result": "5", "runtime": 0.25])
        let seen = try await eventually { monitor.store.read { $0.cluster.tasks[id]?.state == .success } }
        #expect(seen)
        #expect(monitor.store.read { $0.cluster.tasks[id]?.worker } == host)
        #expect(monitor.store.read { $0.eventLog.lines(last: 5).contains { $0.contains(id) } })
        await app.close()
        await monitor.stop()
    }

    /// A message on the event exchange that is not events shows in the status line, and the
    /// events after it still arrive: one bad sender does not blind the dashboard.
    @Test func aMalformedEventMessageIsAStatusLineNotAnEnd() async throws {
        let monitor = try await connectedMonitor()
        let app = App(configuration)
        let transport = try await app.transport()
        try await transport.publish(BrokerMessage(exchange: EventMessage.exchange, routingKey: "task.multi",
                                                  properties: .json, body: Array(#"[{"uuid": "no-type"}]"#.utf8)))
        let warned = try await eventually {
            monitor.store.read { $0.status?.kind == .warning && $0.status?.text.contains("skipped an event message") == true }
        }
        #expect(warned, "\(String(describing: monitor.store.read { $0.status }))")
        let id = UUID().uuidString
        let publisher = EventPublisher(transport: transport, hostname: "after-\(id.prefix(6))@test")
        try await publisher.publish("task-received", fields: ["uuid": .string(id), "name": "fix.add"])
        #expect(try await eventually { monitor.store.read { $0.cluster.tasks[id] != nil } })
        await app.close()
        await monitor.stop()
    }

    /// An action with no worker listening reports silence instead of hanging or failing.
    @Test func anActionWithoutWorkersReportsThatNoneReplied() async throws {
        var configuration = configuration
        configuration.brokerURL = url
        let monitor = Monitor(configuration: configuration, options: MonitorOptions())
        let report = await monitor.actions.grow("nobody-\(UUID().uuidString.prefix(6))@nowhere")
        #expect(report.answers.isEmpty)
        #expect(report.silent.count == 1)
        #expect(report.summary.contains("no reply from nobody-"))
        #expect(!report.succeeded)
        await monitor.stop()
    }

    /// Purge and retry work on queues the dashboard never saw.
    @Test func purgeEmptiesAQueueAndRetrySendsTheSameCall() async throws {
        let queue = "monitor-live-\(UUID().uuidString.prefix(6))"
        let monitor = Monitor(configuration: configuration, options: MonitorOptions())
        var record = TaskRecord(id: "t-\(queue)", sequence: 1)
        record.name = "fix.add"
        record.args = "(2, 3)"
        record.kwargs = "{}"
        record.queue = queue
        let plan = try RetryPlan(record: record, defaultQueue: "celery")
        let app = App(configuration)
        try await app.transport().declare(.taskQueue(queue, maxPriority: nil))
        let sent = await monitor.actions.retry(plan)
        #expect(sent.succeeded, "\(sent.summary)")
        let counts = try await app.transport().declare(QueueDeclaration(name: queue, passive: true))
        #expect(counts.messages == 1)
        let purged = await monitor.actions.purge(queue)
        #expect(purged.note == "removed 1 ready messages")
        let after = try await app.transport().declare(QueueDeclaration(name: queue, passive: true))
        #expect(after.messages == 0)
        await app.close()
        await monitor.stop()
    }

    /// With a stored backend that kept a task's exact arguments (result_extended), a retry
    /// sends those — even when the events' reprs were cut short — and says where they came
    /// from; without them it falls back to the reprs, or refuses with the reason.
    @Test func retryTakesTheExactArgumentsFromTheResultBackend() async throws {
        let queue = "monitor-retry-\(UUID().uuidString.prefix(6))"
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("\(queue).db").path
        defer { try? FileManager.default.removeItem(atPath: file) }
        var configuration = configuration
        configuration.resultBackend = "db+sqlite:///" + file
        let monitor = Monitor(configuration: configuration, options: MonitorOptions())
        let app = App(configuration)
        try await app.transport().declare(.taskQueue(queue, maxPriority: nil))
        let backend = try #require(try await app.resultBackend())
        let long = String(repeating: "a", count: 2000)
        try await backend.store(ResultMeta(taskID: "stored", status: .failure, name: "fix.echo", args: [.string(long)],
                                           kwargs: ["n": 1]))
        func record(_ id: String, args: String) -> TaskRecord {
            var record = TaskRecord(id: id, sequence: 1)
            record.name = "fix.echo"
            record.args = args
            record.kwargs = "{}"
            record.queue = queue
            return record
        }
        let cut = "('" + String(repeating: "a", count: 1023) + "...',)"  // saferepr's cut

        let fromBackend = await monitor.actions.retry(try RetryPlan(record: record("stored", args: cut), defaultQueue: "celery",
                                                                    backendMayHaveArguments: true))
        #expect(fromBackend.succeeded && fromBackend.summary.contains("arguments from the result backend"), "\(fromBackend.summary)")
        let fromReprs = await monitor.actions.retry(try RetryPlan(record: record("unstored", args: "(7,)"), defaultQueue: "celery",
                                                                  backendMayHaveArguments: true))
        #expect(fromReprs.succeeded && fromReprs.summary.contains("arguments from the events' argument reprs"), "\(fromReprs.summary)")
        let neither = await monitor.actions.retry(try RetryPlan(record: record("lost", args: cut), defaultQueue: "celery",
                                                                backendMayHaveArguments: true))
        #expect(!neither.succeeded && neither.summary.contains("result_extended"), "\(neither.summary)")

        var sent: [TaskMessage] = []
        for try await delivery in try await app.transport().consume(queue: queue, prefetch: 10, noAck: true) {
            sent.append(try TaskMessage(delivery.message))
            if sent.count == 2 { break }
        }
        #expect(sent.map(\.args) == [[.string(long)], [7]])
        #expect(sent.first?.kwargs == ["n": 1])
        await app.close()
        await monitor.stop()
    }
}

@Suite struct MonitorStateFileTests {
    /// Stopping writes the state file; the next monitor starts with the same tasks.
    @Test func aRestartedMonitorKeepsItsHistory() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-state-\(UUID()).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        var options = MonitorOptions()
        options.stateFile = path
        let first = Monitor(configuration: CeleriacConfiguration(), options: options)
        first.store.apply(CeleryEvent(type: "task-received", hostname: "w@h", timestamp: 10,
                                      fields: ["uuid": "kept", "name": "fix.add", "args": "(1, 1)"]))
        first.store.apply(CeleryEvent(type: "task-failed", hostname: "w@h", timestamp: 11,
                                      fields: ["uuid": "kept", "exception": "ValueError('x')"]))
        await first.stop()
        #expect(FileManager.default.fileExists(atPath: path))
        let second = Monitor(configuration: CeleriacConfiguration(), options: options)
        let task = second.store.read { $0.cluster.tasks["kept"] }
        #expect(task?.state == .failure)
        #expect(task?.args == "(1, 1)")
        #expect(second.store.read { $0.cluster.failureGroups.values.first?.count } == 1)
        await second.stop()
    }
}
