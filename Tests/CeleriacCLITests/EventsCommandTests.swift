import Celeriac
import Foundation
import Testing

@Suite("celeriac events", .enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil),
       .timeLimit(.minutes(1)))
struct EventsCommandTests {
    /// Runs `celeriac events --limit 1` while publishing a worker event until it is seen
    /// (the command's queue exists only once it started, so the first publishes may go unseen).
    func firstEventLine(_ extra: [String]) async throws -> String {
        // A vhost of its own: other tests' workers send their heartbeats on the default one.
        var line = ""
        try await WorkerInteropTests.withVirtualHost { broker in line = try await firstEventLine(extra, broker: broker) }
        return line
    }

    func firstEventLine(_ extra: [String], broker: String) async throws -> String {
        let finished = Flag()
        let command = Task {
            defer { Task { await finished.set() } }
            return try await CeleriacBinary.runDetached(["events", "--limit", "1", "--routing-key", "worker.#",
                                                         "-b", broker] + extra)
        }
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = broker
        let app = App(configuration)
        let publisher = EventPublisher(transport: try await app.transport(), hostname: "cli-test@host")
        var attempts = 0
        while await !finished.isSet, attempts < 100 {
            try await publisher.publish("worker-heartbeat", fields: ["freq": 2.0, "active": 0, "processed": 3])
            attempts += 1
            try await Task.sleep(for: .milliseconds(100))  // a publish cadence, not a stand-in for an event
        }
        let output = try await command.value
        await app.close()
        #expect(output.status == 0, "\(output.stderr)")
        return output.stdout
    }

    @Test func printsOneLinePerEvent() async throws {
        let line = try await firstEventLine([])
        #expect(line.contains("cli-test@host worker-heartbeat"))
        #expect(line.contains("processed=3"))
        #expect(line.split(separator: "\n").count == 1)
    }

    @Test func printsJSONLines() async throws {
        let line = try await firstEventLine(["--json"])
        let event = try JSONValue(parsing: line.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(event["type"] == "worker-heartbeat")
        #expect(event["hostname"] == "cli-test@host")
        #expect(event["processed"] == 3)
    }
}

/// Set once, read by the publishing loop.
actor Flag {
    private(set) var isSet = false
    func set() { isSet = true }
}
