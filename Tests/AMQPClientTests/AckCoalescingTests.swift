@testable import AMQPClient
import CeleriacTestSupport
import NIOCore
import Testing

/// A run of acks of a channel's oldest deliveries leaves as one `basic.ack multiple`; anything
/// else leaves as it was asked for. Checked on the wire (through a relay that records what
/// the client sent) and by the broker (nothing acked that should not be, nothing left over).
@Suite("Acknowledgements on the wire", .enabled(if: RabbitMQPeer.isAvailable), .timeLimit(.minutes(1)))
struct AckCoalescingTests {
    /// The settlements the client sent on `channel`, in order, as (method, tag, multiple).
    private func settlements(in bytes: ByteBuffer, channel: UInt16) throws -> [String] {
        var bytes = bytes
        bytes.moveReaderIndex(forwardBy: AMQP.protocolHeader.count)
        let decoder = AMQPFrameDecoder()
        var found: [String] = []
        while let frame = try decoder.decodeFrame(from: &bytes) {
            guard case .method(channel, let method) = frame else { continue }
            switch method {
            case .basicAck(let ack): found.append("ack \(ack.deliveryTag)\(ack.multiple ? " multiple" : "")")
            case .basicReject(let reject): found.append("reject \(reject.deliveryTag)")
            case .basicNack(let nack): found.append("nack \(nack.deliveryTag)\(nack.multiple ? " multiple" : "")")
            default: break
            }
        }
        return found
    }

    /// Consumes `count` messages without acking them, through a recording relay; with
    /// `fetchingFirst`, one more message is fetched with basic.get before them.
    private func deliveries(_ count: Int, fetchingFirst: Bool = false) async throws
        -> (proxy: KillableProxy, connection: AMQPConnection, channel: AMQPChannel, queue: String, [AMQPDelivery])
    {
        let configuration = try RabbitMQPeer.configuration
        let proxy = try await KillableProxy(targetHost: configuration.host, targetPort: configuration.port)
        let connection = try await RabbitMQPeer.connect { $0.host = "127.0.0.1"; $0.port = proxy.port }
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(RabbitMQPeer.uniqueName("acks"), autoDelete: false).queue
        if fetchingFirst {
            try await channel.publish(ByteBuffer(string: "fetched"), routingKey: queue)
            _ = try #require(try await channel.get(queue: queue))
        }
        for index in 1...count { try await channel.publish(ByteBuffer(string: "\(index)"), routingKey: queue) }
        try await channel.basicQos(prefetchCount: UInt16(count))
        var received: [AMQPDelivery] = []
        for try await delivery in try await channel.consume(queue: queue) {
            received.append(delivery)
            if received.count == count { break }
        }
        return (proxy, connection, channel, queue, received)
    }

    /// Settles on the connection's event loop, so every settlement is queued before the loop
    /// writes any: what the client then sends is decided by the settlements alone.
    private func settleTogether(on connection: AMQPConnection, _ body: @escaping @Sendable () throws -> Void)
        async throws
    {
        try await connection.eventLoop.submit(body).get()
    }

    /// What is left in `queue` once `channel` is gone (its unacked messages go back).
    private func remaining(in queue: String, after connection: AMQPConnection, channel: AMQPChannel) async throws -> UInt32 {
        try await channel.close()
        let check = try await connection.openChannel()
        let count = try await check.queueDeclare(queue, passive: true).messageCount
        try await check.queueDelete(queue)
        return count
    }

    @Test func acksOfTheOldestDeliveriesLeaveAsOneFrame() async throws {
        let (proxy, connection, channel, queue, received) = try await deliveries(20)
        try await settleTogether(on: connection) { for delivery in received { try delivery.ack() } }
        #expect(try await remaining(in: queue, after: connection, channel: channel) == 0)
        #expect(try settlements(in: proxy.bytesFromClients, channel: channel.id) == ["ack 20 multiple"])
        try await connection.close()
        await proxy.shutdown()
    }

    @Test func aRunStopsAtAGapARejectOrAnAckOutOfOrder() async throws {
        let (proxy, connection, channel, queue, received) = try await deliveries(10)
        let tag = { @Sendable (n: Int) in received[n - 1] }
        try await settleTogether(on: connection) {
            try tag(2).ack()  // 1 is still unsettled: on its own
            try tag(1).ack()
            try tag(3).ack()  // 1 and 3 together (2 is done)
            try tag(4).reject(requeue: false)
            try tag(5).ack()
            try tag(6).ack()
            try tag(8).ack()  // 7 is left: 8, 9 and 10 each on their own
            try tag(9).ack()
            try tag(10).ack()
        }
        try await settleTogether(on: connection) { try tag(7).ack() }
        #expect(try await remaining(in: queue, after: connection, channel: channel) == 0)
        #expect(try settlements(in: proxy.bytesFromClients, channel: channel.id) == [
            "ack 2", "ack 3 multiple", "reject 4", "ack 6 multiple", "ack 8", "ack 9", "ack 10", "ack 7",
        ])
        try await connection.close()
        await proxy.shutdown()
    }

    @Test func aMessageLeftUnackedIsNotCoveredByALaterRun() async throws {
        let (proxy, connection, channel, queue, received) = try await deliveries(6)
        try await settleTogether(on: connection) { for delivery in received.dropFirst() { try delivery.ack() } }
        #expect(try await remaining(in: queue, after: connection, channel: channel) == 1)
        #expect(try settlements(in: proxy.bytesFromClients, channel: channel.id) == ["ack 2", "ack 3", "ack 4", "ack 5", "ack 6"])
        try await connection.close()
        await proxy.shutdown()
    }

    @Test func aFetchedMessageIsNotCoveredByARunOfConsumedOnes() async throws {
        let (proxy, connection, channel, queue, received) = try await deliveries(3, fetchingFirst: true)
        try await settleTogether(on: connection) { for delivery in received { try delivery.ack() } }
        #expect(try await remaining(in: queue, after: connection, channel: channel) == 1)
        #expect(try settlements(in: proxy.bytesFromClients, channel: channel.id) == ["ack 2", "ack 3", "ack 4"])
        try await connection.close()
        await proxy.shutdown()
    }
}
