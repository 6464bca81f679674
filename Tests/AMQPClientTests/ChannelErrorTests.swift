import AMQPClient
import CeleriacTestSupport
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import Testing

@Suite("Channel and connection errors", .enabled(if: RabbitMQPeer.isAvailable), .timeLimit(.minutes(1)))
struct ChannelErrorTests {
    @Test func redeclaringWithOtherFlagsClosesOnlyThatChannel() async throws {
        let connection = try await RabbitMQPeer.connect()
        let name = RabbitMQPeer.uniqueName("redeclare")
        let channel = try await connection.openChannel()
        try await channel.queueDeclare(name, durable: false, autoDelete: true)
        do {
            try await channel.queueDeclare(name, durable: true)
            Issue.record("a conflicting redeclare succeeded")
        } catch let AMQPClientError.channelClosedByServer(code, text, classID, methodID) {
            #expect(code == .preconditionFailed)
            #expect(text.contains("durable"))
            #expect(classID == AMQP.Queue.Declare.classID && methodID == AMQP.Queue.Declare.methodID)
        }
        #expect(!channel.isOpen)
        await #expect(throws: AMQPClientError.self) { try await channel.queueDeclare(name, passive: true) }
        // The connection and new channels go on.
        #expect(connection.isOpen)
        let other = try await connection.openChannel()
        let existing = try await other.queueDeclare(name, passive: true)
        #expect(existing.queue == name)
        try await other.queueDelete(name)
        try await connection.close()
    }

    @Test func publishingToAMissingExchangeIs404() async throws {
        let connection = try await RabbitMQPeer.connect()
        let channel = try await connection.openChannel()
        try await channel.confirmSelect()
        do {
            try await channel.publishConfirmed(ByteBuffer(string: "x"), exchange: "no-such-exchange", routingKey: "k")
            Issue.record("publishing to a missing exchange was confirmed")
        } catch let AMQPClientError.channelClosedByServer(code, text, _, _) {
            #expect(code == .notFound)
            #expect(text.contains("no-such-exchange"))
        }
        #expect(channel.closeReason?.replyCode == .notFound)
        try await connection.close()
    }

    @Test func unroutableMandatoryMessageComesBack() async throws {
        let connection = try await RabbitMQPeer.connect()
        let channel = try await connection.openChannel()
        try await channel.confirmSelect()
        let key = RabbitMQPeer.uniqueName("nobody-listens")
        do {
            try await channel.publishConfirmed(ByteBuffer(string: "lost?"), exchange: "amq.direct", routingKey: key,
                                               mandatory: true)
            Issue.record("an unroutable mandatory publish was confirmed without a return")
        } catch let AMQPClientError.unroutable(code, _, exchange, routingKey) {
            #expect(code == .noRoute)
            #expect(exchange == "amq.direct")
            #expect(routingKey == key)
        }
        var returns = channel.returnedMessages.makeAsyncIterator()
        let returned = try #require(await returns.next())
        #expect(returned.replyCode.rawValue == 312)
        #expect(String(buffer: returned.body) == "lost?")
        // The channel stays open after a return.
        #expect(channel.isOpen)
        try await connection.close()
    }

    @Test func aKilledConnectionEndsConsumersPromptly() async throws {
        let configuration = try RabbitMQPeer.configuration
        let proxy = try await KillableProxy(targetHost: configuration.host, targetPort: configuration.port)
        let connection = try await RabbitMQPeer.connect { $0.host = "127.0.0.1"; $0.port = proxy.port }
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true)
        let consumer = try await channel.consume(queue: queue.queue)
        try await channel.publish(ByteBuffer(string: "before the cut"), routingKey: queue.queue)
        var iterator = consumer.makeAsyncIterator()
        let first = try #require(try await iterator.next())
        #expect(String(buffer: first.body) == "before the cut")

        proxy.cut()
        do {
            _ = try await iterator.next()
            Issue.record("the consumer kept going after the connection was cut")
        } catch let AMQPClientError.connectionLost(reason) {
            #expect(!reason.isEmpty)
        }
        await #expect(throws: AMQPClientError.self) { try await channel.queueDeclare(passive: true) }
        #expect(throws: AMQPClientError.self) { try first.ack() }
        await proxy.shutdown()
    }

    @Test func aBrokerThatStopsReadingMakesThePublisherWait() async throws {
        let configuration = try RabbitMQPeer.configuration
        let proxy = try await KillableProxy(targetHost: configuration.host, targetPort: configuration.port)
        let connection = try await RabbitMQPeer.connect { $0.host = "127.0.0.1"; $0.port = proxy.port; $0.heartbeat = 0 }
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true, arguments: ["x-max-length": 10])
        proxy.pause()
        let body = ByteBuffer(repeating: 7, count: 64 * 1024)
        let published = Counter()
        let publisher = Task {
            for _ in 0..<1024 {  // 64 MiB in all
                try await channel.publish(body, routingKey: queue.queue)
                published.increment()
            }
        }
        // Wait for the publisher to stall: the count stops moving.
        var last = -1
        while published.value != last {
            last = published.value
            try await Task.sleep(for: .milliseconds(300))
        }
        // The client's 1 MiB window plus the kernel's socket buffers, far below 64 MiB.
        #expect(last * body.readableBytes < 24 * 1024 * 1024, "the publisher ran \(last) messages ahead")
        #expect(last < 1024)
        proxy.resume()
        try await publisher.value
        #expect(published.value == 1024)
        try await connection.close()
        await proxy.shutdown()
    }
}

/// A count shared between a publishing task and the test.
final class Counter: Sendable {
    private let box = NIOLockedValueBox(0)
    var value: Int { box.withLockedValue { $0 } }
    func increment() { box.withLockedValue { $0 += 1 } }
}

@Suite("Heartbeats", .enabled(if: RabbitMQPeer.isAvailable), .timeLimit(.minutes(1)))
struct HeartbeatTests {
    @Test func aSilentBrokerIsDeclaredDeadAfterTwoIntervals() async throws {
        var configuration = try RabbitMQPeer.configuration
        let proxy = try await KillableProxy(targetHost: configuration.host, targetPort: configuration.port)
        // A loop of its own, so that a probe timer on it shows how late its timers run.
        let loop = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        configuration.host = "127.0.0.1"
        configuration.port = proxy.port
        // 3 s, not 1: on a loaded machine a 2 s stall of the test's own event loop during the
        // setup would trip the check before the proxy goes silent.
        configuration.heartbeat = 3
        let connection = try await AMQPConnection.connect(to: configuration, eventLoopGroup: loop)
        #expect(connection.heartbeat == 3)
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true)
        let consumer = try await channel.consume(queue: queue.queue)
        // The moment the connection gives up is taken by a plain thread watching it, not by
        // this test's task, which may wake seconds late while hundreds of tests share two cores.
        let (closing, closed) = AsyncStream<ContinuousClock.Instant>.makeStream()
        let watcher = Thread {
            while connection.isOpen { usleep(2_000) }  // polling: the connection's end has no callback here
            closed.yield(.now)
            closed.finish()
        }
        proxy.pause()  // the broker's frames, heartbeats included, stop arriving
        let silent = ContinuousClock.now
        watcher.start()
        // The silence check is a timer on the connection's loop, due at most 6 s from now. On a
        // machine where hundreds of tests share two cores, that loop's timers can run seconds
        // late; a probe due at the same time says by how much.
        let probe = loop.next().scheduleTask(in: .seconds(6)) { ContinuousClock.now }
        do {
            for try await _ in consumer {}
            Issue.record("the consumer ended without an error")
        } catch let AMQPClientError.heartbeatTimeout(seconds) {
            #expect(seconds == 6)
        }
        #expect(await connection.waitUntilClosed() == .heartbeatTimeout(seconds: 6))
        let closedAt = try #require(await closing.first { _ in true })
        // Two intervals after the last frame, which came at most one broker heartbeat (half
        // an interval) before the pause: noticed within 6 s of it, and not before 4.5 s.
        // The half second on top is room for the watcher's polling; the probe's lateness, for a
        // loop that ran its timers late. Neither is room for a check set for the wrong moment.
        let lateness = max(0, Self.seconds(try await probe.futureResult.get() - (silent + .seconds(6))))
        let noticed = Self.seconds(closedAt - silent)
        #expect(noticed >= 4.4 && noticed <= 6.5 + lateness,
                "noticed \(noticed) s after the broker went silent, the loop's timers \(lateness) s late")
        await proxy.shutdown()
        try await loop.shutdownGracefully()
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
