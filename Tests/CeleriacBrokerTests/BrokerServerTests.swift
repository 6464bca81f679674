import AMQPClient
import AMQPProtocol
import CeleriacBroker
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The broker over real sockets, driven by our client: what the client's own suite (which
/// also runs against this broker in Scripts/test.sh) does not reach.
@Suite(.timeLimit(.minutes(1)))
struct BrokerServerTests {
    static func withBroker(_ adjust: (inout BrokerConfiguration) -> Void = { _ in },
                           _ body: (BrokerServer, String) async throws -> Void) async throws {
        var configuration = BrokerConfiguration(port: 0, managementPort: 0, statisticsInterval: 1)
        adjust(&configuration)
        let server = try await BrokerServer.start(configuration, logger: Logger(label: "test-broker"))
        do {
            try await body(server, "amqp://guest:guest@127.0.0.1:\(server.port)/%2F")
        } catch {
            await server.stop()
            throw error
        }
        await server.stop()
    }

    @Test func aConsumerGetsNoMoreThanItsPrefetchUntilItAcks() async throws {
        try await Self.withBroker { _, url in
            let connection = try await AMQPConnection.connect(url: url)
            let channel = try await connection.openChannel()
            let queue = try await channel.queueDeclare(exclusive: true).queue
            try await channel.confirmSelect()
            for index in 0..<5 { try await channel.publish(ByteBuffer(string: "\(index)"), routingKey: queue) }
            try await channel.waitForConfirms()
            try await channel.basicQos(prefetchCount: 2)
            var deliveries = try await channel.consume(queue: queue).makeAsyncIterator()
            let first = try #require(try await deliveries.next())
            let second = try #require(try await deliveries.next())
            #expect([first, second].map { String(buffer: $0.body) } == ["0", "1"])
            // The window is full: three wait at the broker.
            #expect(try await channel.queueDeclare(queue, passive: true).messageCount == 3)
            try second.ack(multiple: true)
            let third = try #require(try await deliveries.next())
            let fourth = try #require(try await deliveries.next())
            #expect([third, fourth].map { String(buffer: $0.body) } == ["2", "3"])
            #expect(try await channel.queueDeclare(queue, passive: true).messageCount == 1)
            try await connection.close()
        }
    }

    /// A channel remembers the queue its last publish went to; a queue deleted and declared
    /// again under the same name is a new queue, and the next publish must go to it.
    @Test func aPublishAfterItsQueueWasDeclaredAgainGoesToTheNewQueue() async throws {
        try await Self.withBroker { _, url in
            let connection = try await AMQPConnection.connect(url: url)
            let publisher = try await connection.openChannel()
            let admin = try await connection.openChannel()
            try await publisher.confirmSelect()
            try await admin.queueDeclare("again")
            try await publisher.publishConfirmed(ByteBuffer(string: "first"), routingKey: "again")
            #expect(try await admin.queueDelete("again") == 1)
            try await publisher.publishConfirmed(ByteBuffer(string: "unrouted"), routingKey: "again")
            try await admin.queueDeclare("again")
            try await publisher.publishConfirmed(ByteBuffer(string: "second"), routingKey: "again")
            let message = try #require(try await admin.get(queue: "again", noAck: true))
            #expect(String(buffer: message.body) == "second")
            #expect(try await admin.queueDeclare("again", passive: true).messageCount == 0)
            try await connection.close()
        }
    }

    /// Persistent messages are confirmed once on disk, transient ones at once — but every
    /// confirm keeps publishing order, across many group commits, and none is lost.
    @Test func confirmsOfPersistentAndTransientMessagesComeInPublishingOrder() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("confirm-order-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try await Self.withBroker({ $0.dataDirectory = directory }) { _, url in
            let connection = try await AMQPConnection.connect(url: url)
            let channel = try await connection.openChannel()
            try await channel.queueDeclare("confirm-order", durable: true)
            try await channel.confirmSelect()
            let confirmed = NIOLockedValueBox<[Int]>([])
            var futures: [EventLoopFuture<Void>] = []
            for index in 0..<600 {
                // Runs of each kind, so transient confirms wait behind persistent ones and the reverse.
                let persistent = (index / 7) % 2 == 0
                let future = try await channel.publishAwaitingConfirm(
                    ByteBuffer(string: "\(index)"), routingKey: "confirm-order",
                    properties: AMQPBasicProperties(deliveryMode: persistent ? 2 : 1))
                future.whenSuccess { confirmed.withLockedValue { $0.append(index) } }
                futures.append(future)
            }
            for future in futures { try await future.get() }
            #expect(confirmed.withLockedValue { $0 } == Array(0..<600))
            #expect(try await channel.queueDeclare("confirm-order", passive: true).messageCount == 600)
            try await channel.queueDelete("confirm-order")
            try await connection.close()
        }
    }

    /// Celery raises a global QoS while it holds ETA tasks; the new window applies at once.
    @Test func raisingAChannelWideWindowDeliversAtOnce() async throws {
        try await Self.withBroker { _, url in
            let connection = try await AMQPConnection.connect(url: url)
            let channel = try await connection.openChannel()
            let queue = try await channel.queueDeclare(exclusive: true).queue
            try await channel.confirmSelect()
            for index in 0..<4 { try await channel.publish(ByteBuffer(string: "\(index)"), routingKey: queue) }
            try await channel.waitForConfirms()
            try await channel.basicQos(prefetchCount: 1, global: true)
            var deliveries = try await channel.consume(queue: queue).makeAsyncIterator()
            _ = try #require(try await deliveries.next())
            #expect(try await channel.queueDeclare(queue, passive: true).messageCount == 3)
            try await channel.basicQos(prefetchCount: 3, global: true)
            _ = try #require(try await deliveries.next())
            _ = try #require(try await deliveries.next())
            #expect(try await channel.queueDeclare(queue, passive: true).messageCount == 1)
            try await connection.close()
        }
    }

    @Test func unackedMessagesReturnInOrderMarkedRedeliveredWhenTheirConnectionCloses() async throws {
        try await Self.withBroker { _, url in
            let keeper = try await AMQPConnection.connect(url: url)
            let setup = try await keeper.openChannel()
            try await setup.queueDeclare("work")
            try await setup.confirmSelect()
            for index in 0..<3 { try await setup.publish(ByteBuffer(string: "\(index)"), routingKey: "work") }
            try await setup.waitForConfirms()

            let first = try await AMQPConnection.connect(url: url)
            let taker = try await first.openChannel()
            var taken = try await taker.consume(queue: "work").makeAsyncIterator()
            for _ in 0..<3 { _ = try #require(try await taken.next()) }
            #expect(try await setup.queueDeclare("work", passive: true).messageCount == 0)
            try await first.close()

            var again = try await setup.consume(queue: "work").makeAsyncIterator()
            var seen: [(String, Bool)] = []
            for _ in 0..<3 {
                let delivery = try #require(try await again.next())
                seen.append((String(buffer: delivery.body), delivery.redelivered))
                try delivery.ack()
            }
            #expect(seen.map(\.0) == ["0", "1", "2"])
            #expect(seen.map(\.1) == [true, true, true])
            try await keeper.close()
        }
    }

    @Test func theManagementAPIReportsQueuesAndAdministersVirtualHosts() async throws {
        try await Self.withBroker { server, url in
            let api = "http://127.0.0.1:\(try #require(server.managementPort))/api"
            let connection = try await AMQPConnection.connect(url: url)
            let channel = try await connection.openChannel()
            try await channel.queueDeclare("reported", durable: true)
            try await channel.confirmSelect()
            for _ in 0..<3 { try await channel.publish(ByteBuffer(string: "m"), routingKey: "reported") }
            try await channel.waitForConfirms()
            let queue = try await Self.request("GET", "\(api)/queues/%2F/reported")
            #expect(queue.status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: queue.body) as? [String: Any])
            #expect(json["messages_ready"] as? Int == 3)
            #expect(json["durable"] as? Bool == true)
            #expect((json["message_stats"] as? [String: Any])?["publish"] as? Int == 3)

            #expect(try await Self.request("PUT", "\(api)/vhosts/tenant").status == 201)
            #expect(try await Self.request("PUT", "\(api)/permissions/tenant/guest", body: #"{"configure":".*","write":".*","read":".*"}"#).status == 201)
            let tenant = try await AMQPConnection.connect(url: url.replacingOccurrences(of: "%2F", with: "tenant"))
            #expect(try await Self.request("DELETE", "\(api)/vhosts/tenant").status == 204)
            // Deleting a vhost closes its connections (320 CONNECTION_FORCED).
            let tenantChannel = try? await tenant.openChannel()
            #expect(tenantChannel == nil)
            // Wrong credentials: the server answers 401 with a challenge, which the client sees.
            let challenges = ChallengeRecorder()
            var refused = URLRequest(url: URL(string: "\(api)/queues")!)
            refused.setValue("Basic " + Data("guest:wrong".utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
            _ = try? await URLSession(configuration: .ephemeral, delegate: challenges, delegateQueue: nil).data(for: refused)
            #expect(challenges.received)
            try await connection.close()
        }
    }

    /// RabbitMQ's permission patterns: configure, write and read, each a regular expression
    /// over resource names; the default exchange is amq.default.
    @Test func permissionsLimitAUserToTheResourcesTheyName() async throws {
        var restricted = BrokerUser(name: "restricted", password: "pw")
        restricted.permissions["/"] = Permission(configure: "^mine\\.", write: "^mine\\.", read: "^mine\\.")
        try await Self.withBroker({ $0.users.append(restricted) }) { server, _ in
            let url = "amqp://restricted:pw@127.0.0.1:\(server.port)/%2F"
            let connection = try await AMQPConnection.connect(url: url)
            let allowed = try await connection.openChannel()
            try await allowed.queueDeclare("mine.jobs")
            try await allowed.exchangeDeclare("mine.exchange", type: "direct")
            try await allowed.queueBind("mine.jobs", exchange: "mine.exchange", routingKey: "k")
            try await allowed.confirmSelect()
            try await allowed.publishConfirmed(ByteBuffer(string: "ok"), exchange: "mine.exchange", routingKey: "k")
            #expect(try await allowed.get(queue: "mine.jobs", noAck: true) != nil)
            for refused in [{ (channel: AMQPChannel) in try await channel.queueDeclare("theirs") },
                            { channel in
                                try await channel.confirmSelect()
                                try await channel.publishConfirmed(ByteBuffer(string: "x"), routingKey: "mine.jobs")
                            }]
                as [@Sendable (AMQPChannel) async throws -> Void] {
                let channel = try await connection.openChannel()
                do {
                    try await refused(channel)
                    Issue.record("a refused operation succeeded")
                } catch let AMQPClientError.channelClosedByServer(code, text, _, _) {
                    #expect(code == .accessRefused, "\(text)")
                }
            }
            try await connection.close()
        }
    }

    @Test func aUsersFileInRabbitMQsFormatAddsItsUsers() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("users-\(UUID().uuidString).json").path
        // The hash of "test12" from RabbitMQ's documentation.
        let definitions = #"{"users": [{"name": "bob", "password_hash": "kI3GCqW5JLMJa4iX1lo7X4D6XbYqlLgxIs30+P6tENUV2POR", "hashing_algorithm": "rabbit_password_hashing_sha256", "tags": []}], "vhosts": [{"name": "team"}], "permissions": [{"user": "bob", "vhost": "team", "configure": ".*", "write": ".*", "read": ".*"}]}"#
        try definitions.write(toFile: path, atomically: true, encoding: .utf8)
        try await Self.withBroker({ $0.definitionsFile = path }) { server, _ in
            let connection = try await AMQPConnection.connect(url: "amqp://bob:test12@127.0.0.1:\(server.port)/team")
            _ = try await connection.openChannel()
            try await connection.close()
            do {
                _ = try await AMQPConnection.connect(url: "amqp://bob:wrong@127.0.0.1:\(server.port)/team")
                Issue.record("a wrong password was accepted")
            } catch {}
        }
    }

    /// RabbitMQ's loopback_users: guest logs in over loopback only; a user of one's own
    /// logs in from anywhere.
    @Test(.enabled(if: Self.nonLoopbackAddress != nil))
    func guestMayConnectOnlyOverLoopback() async throws {
        let address = try #require(Self.nonLoopbackAddress)
        try await Self.withBroker({
            $0.host = "0.0.0.0"
            $0.users.append(BrokerUser(name: "alice", password: "pw"))
        }) { server, _ in
            do {
                _ = try await AMQPConnection.connect(url: "amqp://guest:guest@\(address):\(server.port)/%2F")
                Issue.record("guest logged in from \(address)")
            } catch let AMQPClientError.authenticationFailed(username, text) {
                #expect(username == "guest")
                #expect(text.contains("ACCESS_REFUSED") && text.contains("localhost"), "\(text)")
            }
            let alice = try await AMQPConnection.connect(url: "amqp://alice:pw@\(address):\(server.port)/%2F")
            try await alice.close()
            let guest = try await AMQPConnection.connect(url: "amqp://guest:guest@127.0.0.1:\(server.port)/%2F")
            try await guest.close()
        }
    }

    /// This machine's first IPv4 address that is not loopback, if it has one.
    static let nonLoopbackAddress: String? = {
        var addresses: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&addresses) == 0, let first = addresses else { return nil }
        defer { freeifaddrs(addresses) }
        for pointer in sequence(first: first, next: { $0.pointee.ifa_next }) {
            guard let socketAddress = pointer.pointee.ifa_addr, socketAddress.pointee.sa_family == sa_family_t(AF_INET) else { continue }
            var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
            guard getnameinfo(socketAddress, socklen_t(MemoryLayout<sockaddr_in>.size), &host, socklen_t(host.count), nil, 0,
                              NI_NUMERICHOST) == 0 else { continue }
            let text = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            if !text.hasPrefix("127.") { return text }
        }
        return nil
    }()

    static func request(_ method: String, _ url: String, body: String? = nil, user: String = "guest:guest")
        async throws -> (status: Int, body: Data)
    {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.setValue("Basic " + Data(user.utf8).base64EncodedString(), forHTTPHeaderField: "Authorization")
        request.httpBody = body.map { Data($0.utf8) }
        let (data, response) = try await URLSession(configuration: .ephemeral).data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }
}

/// Declines HTTP auth challenges and remembers that one came: a 401 from the server.
final class ChallengeRecorder: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
    // Written once on URLSession's delegate queue, read after the request finished.
    private(set) var received = false

    func urlSession(_ session: URLSession, task: URLSessionTask, didReceive challenge: URLAuthenticationChallenge,
                    completionHandler: @escaping @Sendable (URLSession.AuthChallengeDisposition, URLCredential?) -> Void) {
        received = true
        completionHandler(.cancelAuthenticationChallenge, nil)
    }
}
