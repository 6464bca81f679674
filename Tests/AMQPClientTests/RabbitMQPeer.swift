import AMQPClient
import CeleriacTestSupport
import Foundation
import Testing

/// The RabbitMQ node Scripts/test.sh starts, found through its CELERIAC_TEST_* variables.
/// Without them the RabbitMQ tests skip — unless CELERIAC_REQUIRE_PEERS=1 (CI), where
/// `peerIsPresentWhenRequired` fails the run.
enum RabbitMQPeer {
    static let environment = ProcessInfo.processInfo.environment
    static let url = environment["CELERIAC_TEST_AMQP_URL"]
    static let tlsURL = environment["CELERIAC_TEST_AMQPS_URL"]
    static let caFile = environment["CELERIAC_TEST_CA"]
    static let wrongCAFile = environment["CELERIAC_TEST_WRONG_CA"]
    static let rabbitmqctl = environment["CELERIAC_TEST_RABBITMQCTL"]
    static let isAvailable = url != nil
    static let isRequired = environment["CELERIAC_REQUIRE_PEERS"] == "1"
    /// Set by Scripts/test.sh when the suite runs against `celeriac broker` instead of
    /// RabbitMQ: tests that drive the node through rabbitmqctl, or need its TLS listener,
    /// then skip; every other test runs unchanged.
    static let isCeleriacBroker = environment["CELERIAC_TEST_BROKER"] == "celeriac"
    static let hasRabbitMQCtl = rabbitmqctl != nil
    static let hasTLS = tlsURL != nil
    /// Set by Scripts/test.sh for a second pass that runs alone: tests that change the whole
    /// node (a memory alarm blocks every publisher on it) would stall every other test's
    /// workers and events if they ran beside them.
    static let mayChangeTheWholeNode = environment["CELERIAC_TEST_NODE_WIDE"] == "1"

    static var configuration: AMQPConnectionConfiguration {
        get throws { try AMQPConnectionConfiguration(url: url!) }
    }

    static func connect(_ adjust: (inout AMQPConnectionConfiguration) -> Void = { _ in }) async throws -> AMQPConnection {
        var configuration = try configuration
        adjust(&configuration)
        return try await AMQPConnection.connect(to: configuration)
    }

    /// A queue name no other test uses.
    static func uniqueName(_ prefix: String) -> String {
        "\(prefix)-\(UInt32.random(in: 0...UInt32.max))"
    }

    /// `ctl` on a thread of its own, so its second-long wait holds no concurrency thread.
    @discardableResult
    static func ctlDetached(_ arguments: String...) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                do {
                    continuation.resume(returning: try ctl(arguments))
                } catch {
                    continuation.resume(throwing: error)
                }
            }.start()
        }
    }

    /// Runs rabbitmqctl against the test node and returns its output.
    @discardableResult
    static func ctl(_ arguments: String...) throws -> String {
        try ctl(arguments)
    }

    /// Through posix_spawn, not Foundation's Process: other suites in this test process hold
    /// long-running children, and Process can then miss an exit and wait for ever.
    static func ctl(_ arguments: [String]) throws -> String {
        let output = try ChildProcess.run([rabbitmqctl!] + arguments)
        return output.stdout + output.stderr
    }
}

@Test("the RabbitMQ peer is present when the run requires it")
func peerIsPresentWhenRequired() {
    if RabbitMQPeer.isRequired {
        #expect(RabbitMQPeer.isAvailable, "CELERIAC_REQUIRE_PEERS=1 but CELERIAC_TEST_AMQP_URL is unset: run the tests through Scripts/test.sh")
        if !RabbitMQPeer.isCeleriacBroker {
            #expect(RabbitMQPeer.hasRabbitMQCtl, "CELERIAC_TEST_RABBITMQCTL is unset: run the tests through Scripts/test.sh")
            #expect(RabbitMQPeer.hasTLS, "CELERIAC_TEST_AMQPS_URL is unset: run the tests through Scripts/test.sh")
        }
    }
}
