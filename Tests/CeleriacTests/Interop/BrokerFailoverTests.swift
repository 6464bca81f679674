import AMQPClient
@testable import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// Failover lists as Celery writes them: parsing, the order each strategy tries, the
/// configuration's forms, and — on the real RabbitMQ node — a transport that skips a dead
/// broker at the start and moves on to the next when its connection is lost.
@Suite struct BrokerFailoverTests {
    @Test func aListSplitsOnSemicolons() throws {
        let failover = try BrokerFailover(" amqp://h1// ; amqp://h2//;amqp://h3//; ")
        #expect(failover.urls == ["amqp://h1//", "amqp://h2//", "amqp://h3//"])
        #expect(try BrokerFailover("amqp://only//").urls == ["amqp://only//"])
        #expect { try BrokerFailover(" ; ") } throws: { "\($0)".contains("no broker URL") }
    }

    /// Round-robin tries the ones after the lost one, wrapping, the lost one last; shuffle
    /// tries every other one in some order, the lost one last.
    @Test func eachStrategyTriesEveryOtherBrokerBeforeTheLostOne() throws {
        var random = SystemRandomNumberGenerator()
        let urls = "amqp://a//;amqp://b//;amqp://c//;amqp://d//"
        let roundRobin = try BrokerFailover(urls)
        #expect(roundRobin.attemptOrder(after: 0, random: &random) == [1, 2, 3, 0])
        #expect(roundRobin.attemptOrder(after: 2, random: &random) == [3, 0, 1, 2])
        let shuffle = try BrokerFailover(urls, strategy: .shuffle)
        for lost in 0..<4 {
            let order = shuffle.attemptOrder(after: lost, random: &random)
            #expect(order.last == lost && Set(order) == [0, 1, 2, 3] && order.count == 4)
        }
    }

    @Test func theConfigurationTakesAListOrAString() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("failover-\(UUID().uuidString.prefix(6)).toml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
            broker_url = ["amqp://h1//", "amqp://h2//"]
            broker_failover_strategy = "shuffle"
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try CeleriacConfiguration.load(file: path, environment: [:])
        #expect(configuration.brokerURL == "amqp://h1//;amqp://h2//")
        #expect(configuration.brokerFailoverStrategy == .shuffle)
        let fromEnvironment = try CeleriacConfiguration.load(file: nil, environment: ["CELERY_BROKER_URL": "amqp://a//;amqp://b//"])
        #expect(fromEnvironment.brokerURL == "amqp://a//;amqp://b//" && fromEnvironment.brokerFailoverStrategy == .roundRobin)
        #expect { try CeleriacConfiguration.load(file: nil, environment: ["CELERIAC_BROKER_FAILOVER_STRATEGY": "random"]) } throws: {
            "\($0)".contains("round-robin") && "\($0)".contains("shuffle")
        }
    }

    /// Celery's broker_heartbeat and broker_connection_timeout apply to every URL of the list
    /// that names none of its own: the heartbeat is what notices a node cut off by a
    /// partition, where no RST ever comes.
    @Test func heartbeatAndConnectionTimeoutComeFromTheConfiguration() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("heartbeat-\(UUID().uuidString.prefix(6)).toml").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try """
            broker_heartbeat = 5
            broker_connection_timeout = 4
            """.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try CeleriacConfiguration.load(file: path, environment: [:])
        #expect(configuration.brokerHeartbeat == 5 && configuration.brokerConnectionTimeout == 4)
        #expect(CeleriacConfiguration().brokerHeartbeat == 60)
        let fromEnvironment = try CeleriacConfiguration.load(file: nil, environment: ["CELERIAC_BROKER_HEARTBEAT": "0"])
        #expect(fromEnvironment.brokerHeartbeat == 0)
        #expect { try CeleriacConfiguration.load(file: nil, environment: ["CELERIAC_BROKER_HEARTBEAT": "-1"]) } throws: {
            "\($0)".contains("broker_heartbeat")
        }

        let plain = try AMQPConnectionConfiguration(url: "amqp://h1//", heartbeat: 5, connectTimeout: 4)
        #expect(plain.heartbeat == 5 && plain.connectTimeout == 4)
        let ownOptions = try AMQPConnectionConfiguration(url: "amqp://h1//?heartbeat=30&connect_timeout=2", heartbeat: 5, connectTimeout: 4)
        #expect(ownOptions.heartbeat == 30 && ownOptions.connectTimeout == 2)
    }

    /// A closed port first: the transport says so and connects to the live node; every URL
    /// dead: the error names each.
    @Test(.enabled(if: Peers.hasRabbitMQ)) func aDeadBrokerIsSkipped() async throws {
        let live = try #require(Peers.amqpURL)
        let transport = try await AMQPTransport(url: "amqp://guest:guest@127.0.0.1:1//;" + live)
        defer { Task { await transport.close() } }
        let node = try #require(await transport.currentBroker())
        #expect(node.hasPrefix("127.0.0.1:") && !node.hasPrefix("127.0.0.1:1/") && node != "127.0.0.1:1")
        let queue = "failover-\(UUID().uuidString.prefix(8))"
        try await transport.declare(QueueDeclaration(name: queue, durable: false, autoDelete: true))
        try await transport.publish(BrokerMessage(routingKey: queue, body: Array("hello".utf8)))

        await #expect { try await AMQPTransport(url: "amqp://guest:guest@127.0.0.1:1//;amqp://guest:guest@127.0.0.1:2//") } throws: {
            "\($0)".contains("127.0.0.1:1") && "\($0)".contains("127.0.0.1:2") && "\($0)".contains("none of the 2 brokers")
        }
    }
}
