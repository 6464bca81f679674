import AMQPClient
import CeleriacTestSupport
import NIOCore
import Testing

@Suite("Recovering connection", .enabled(if: RabbitMQPeer.isAvailable), .timeLimit(.minutes(1)))
struct RecoveringConnectionTests {
    @Test func reconnectsRedeclaresAndResumesTheConsumer() async throws {
        let direct = try RabbitMQPeer.configuration
        let proxy = try await KillableProxy(targetHost: direct.host, targetPort: direct.port)
        var viaProxy = direct
        viaProxy.host = "127.0.0.1"
        viaProxy.port = proxy.port
        let recovering = AMQPRecoveringConnection(configuration: viaProxy, initialRetryDelay: .milliseconds(50))
        try await recovering.start()

        let exchange = RabbitMQPeer.uniqueName("recover-x")
        let queue = RabbitMQPeer.uniqueName("recover-q")
        try await recovering.declare(.exchange(name: exchange, type: "fanout", autoDelete: true))
        try await recovering.declare(.queue(name: queue, autoDelete: true))
        try await recovering.declare(.queueBinding(queue: queue, exchange: exchange))
        let deliveries = try await recovering.consume(queue: queue)
        var iterator = deliveries.makeAsyncIterator()

        try await recovering.publish(ByteBuffer(string: "one"), exchange: exchange, routingKey: "")
        let one = try #require(try await iterator.next())
        #expect(String(buffer: one.body) == "one")
        try one.ack()

        // The socket dies; the auto-delete queue and exchange die with their last consumer.
        proxy.cut()
        // A publish waits for the new connection, whose first act is declaring them again.
        try await recovering.publish(ByteBuffer(string: "two"), exchange: exchange, routingKey: "")
        let two = try #require(try await iterator.next())
        #expect(String(buffer: two.body) == "two")
        try two.ack()
        #expect(await recovering.connectionCount == 2)

        await recovering.close()
        #expect(try await iterator.next() == nil)
        await proxy.shutdown()
    }
}
