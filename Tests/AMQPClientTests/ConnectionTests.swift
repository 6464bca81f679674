import AMQPClient
import Foundation
import NIOCore
import Testing

// Two minutes: rabbitmqctl, which one test runs twice, takes seconds to start on a loaded machine.
@Suite("Connecting to RabbitMQ", .enabled(if: RabbitMQPeer.isAvailable), .timeLimit(.minutes(2)))
struct ConnectionTests {
    @Test func connectsAndNegotiatesTuning() async throws {
        let connection = try await RabbitMQPeer.connect { $0.heartbeat = 30; $0.connectionName = "celeriac-test" }
        #expect(connection.serverProperties["product"] == "RabbitMQ")
        #expect(connection.frameMax == 131_072)
        #expect(connection.heartbeat == 30)
        #expect(connection.isOpen)
        try await connection.close()
        #expect(!connection.isOpen)
        #expect(connection.closeReason == .connectionClosed)
    }

    @Test func wrongPasswordIsAnAuthenticationError() async throws {
        do {
            _ = try await RabbitMQPeer.connect { $0.password = "not-the-password" }
            Issue.record("a wrong password was accepted")
        } catch let AMQPClientError.authenticationFailed(username, text) {
            #expect(username == "guest")
            #expect(text.contains("ACCESS_REFUSED"))
        }
    }

    @Test func missingVirtualHostIsRefusedByTheServer() async throws {
        do {
            _ = try await RabbitMQPeer.connect { $0.virtualHost = "no-such-vhost" }
            Issue.record("connecting to a missing vhost succeeded")
        } catch let AMQPClientError.connectionClosedByServer(code, text) {
            #expect(code == .notAllowed)
            #expect(text.contains("no-such-vhost"))
        }
    }

    @Test func nothingListeningIsAConnectError() async throws {
        do {
            _ = try await AMQPConnection.connect(url: "amqp://guest:guest@127.0.0.1:1//")
            Issue.record("connecting to port 1 succeeded")
        } catch let AMQPClientError.connectFailed(host, port, _) {
            #expect(host == "127.0.0.1")
            #expect(port == 1)
        }
    }

    @Test(.enabled(if: RabbitMQPeer.hasTLS)) func tlsWithTheRightCertificateAuthority() async throws {
        let connection = try await AMQPConnection.connect(url: try #require(RabbitMQPeer.tlsURL))
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true)
        #expect(queue.queue.hasPrefix("amq.gen-"))
        try await connection.close()
    }

    @Test(.enabled(if: RabbitMQPeer.hasTLS)) func tlsWithAnotherCertificateAuthorityIsRefused() async throws {
        var configuration = try AMQPConnectionConfiguration(url: try #require(RabbitMQPeer.tlsURL))
        let wrongCA = try #require(RabbitMQPeer.wrongCAFile as String?)
        configuration.tls?.caCertificatesFile = wrongCA
        do {
            _ = try await AMQPConnection.connect(to: configuration)
            Issue.record("TLS with an unrelated CA succeeded")
        } catch let error as AMQPClientError {
            guard case .tlsFailed(let reason) = error else {
                Issue.record("expected tlsFailed, got \(error)")
                return
            }
            #expect(reason.lowercased().contains("certificate"))
            #expect(error.description.contains("ssl_ca_certs"))
        }
    }

    @Test(.enabled(if: RabbitMQPeer.hasRabbitMQCtl)) func aServerSideCloseEndsConsumersWithItsReplyCode() async throws {
        let name = RabbitMQPeer.uniqueName("forced-close")
        let connection = try await RabbitMQPeer.connect { $0.connectionName = name }
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true)
        let consumer = try await channel.consume(queue: queue.queue)
        // rabbitmqctl close_connection needs the connection's pid; find it by its name.
        let listing = try await RabbitMQPeer.ctlDetached("list_connections", "pid", "client_properties", "--quiet")
        let line = try #require(listing.split(separator: "\n").first { $0.contains(name) })
        let pid = String(line.split(separator: "\t")[0])
        try await RabbitMQPeer.ctlDetached("close_connection", pid, "closed by the test")
        do {
            for try await _ in consumer {}
            Issue.record("the consumer ended without an error")
        } catch let AMQPClientError.connectionClosedByServer(code, text) {
            #expect(code == .connectionForced)
            #expect(text.contains("closed by the test"))
        }
        #expect(!connection.isOpen)
    }
}
