import CeleriacTestSupport
import Foundation
import Testing

/// Real Python clients against the broker under test — RabbitMQ in the first pass of
/// Scripts/test.sh, celeriac broker in the second — so each check holds on both.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .timeLimit(.minutes(2)))
struct PythonBrokerClientsTests {
    static let interop = PythonCluster.interop

    /// Runs the script in a vhost of its own, so its worker's events and queues stay out of
    /// every other test's way.
    static func runPython(_ script: String, _ arguments: [String] = []) async throws -> [String: Any] {
        let vhost = "py-\(UUID().uuidString.prefix(8).lowercased())"
        let admin = try ManagementAdmin(url: CeleriacBinary.managementURL!)
        try await admin.createVirtualHost(vhost)
        defer { Task { try? await admin.deleteVirtualHost(vhost) } }
        let url = PythonCluster.url(CeleriacBinary.amqpURL!, virtualHost: vhost)
        var environment = ProcessInfo.processInfo.environment
        environment["CELERIAC_TEST_AMQP_URL"] = url
        let output = try await detached { [environment] in
            try ChildProcess.run(["/usr/bin/env", "python3", interop.appendingPathComponent(script).path]
                                     + arguments.map { $0 == "{url}" ? url : $0 },
                                 environment: environment, directory: interop.path)
        }
        guard output.status == 0, let line = output.stdout.split(separator: "\n").last,
              let json = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            Issue.record("\(script) failed (\(output.status)): \(output.stdout) \(output.stderr)")
            return [:]
        }
        return json
    }

    @Test func pikaAndPyAMQPSeeRabbitMQsBehaviour() async throws {
        let results = try await Self.runPython("broker_behaviour.py", ["{url}"])
        #expect(results.count == 14)
        for (check, outcome) in results.sorted(by: { $0.key < $1.key }) {
            #expect(outcome as? String == "ok", "\(check): \(outcome)")
        }
    }

    @Test func aCeleryWorkerHoldingMoreCountdownTasksThanItsPrefetchDoesNotStall() async throws {
        let results = try await Self.runPython("eta_prefetch.py")
        #expect(results["immediate"] as? Int == 42)
        // The countdown tasks are due 15 s after sending: a stalled worker would run the
        // immediate task only then; one that does not stall runs it at once (10 s of slack
        // for a machine busy with the rest of the suite).
        let seconds = try #require(results["immediate_seconds"] as? Double)
        #expect(seconds < 10, "the immediate task waited \(seconds) s behind the held countdown tasks")
        #expect(results["eta_results"] as? [Int] == [0, 2, 4, 6, 8])
    }

    /// A Python Celery worker with -E on the broker under test, a client reading results
    /// over rpc://, and Celery's own inspect, events and purge commands beside them.
    @Test func pythonCeleryRunsEndToEndWithItsOwnCommandLine() async throws {
        let results = try await Self.runPython("celery_end_to_end.py")
        #expect((results["ping"] as? String)?.contains("pong") == true, "\(results)")
        #expect(results["dump_ready"] as? Bool == true, "\(results)")
        #expect(results["results"] as? [Int] == [0, 2, 4, 6, 8])
        #expect(results["events_succeeded"] as? Int == 5, "\(results["dump_sample"] ?? "")")
        #expect((results["purge"] as? String)?.contains("Purged 3 messages") == true, "\(results["purge"] ?? "")")
        #expect(results["left_after_purge"] as? Int == 0)
    }
}

