import AMQPClient
import NIOCore
import Testing

/// Runs in Scripts/test.sh's second pass, alone (`RabbitMQPeer.mayChangeTheWholeNode`).
@Suite("connection.blocked", .enabled(if: RabbitMQPeer.isAvailable && RabbitMQPeer.mayChangeTheWholeNode && RabbitMQPeer.hasRabbitMQCtl),
       .timeLimit(.minutes(1)))
struct BlockedConnectionTests {
    /// A memory alarm makes RabbitMQ block publishers; the client reports it and the
    /// publish waits until the alarm clears. The alarm is node-wide, so it is held briefly.
    @Test func aMemoryAlarmBlocksAndUnblocksThePublisher() async throws {
        let connection = try await RabbitMQPeer.connect()
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true)
        try await channel.confirmSelect()
        var events = connection.events.makeAsyncIterator()

        try await RabbitMQPeer.ctlDetached("set_vm_memory_high_watermark", "0")
        defer { _ = try? RabbitMQPeer.ctl("set_vm_memory_high_watermark", "0.4") }
        // RabbitMQ tells a connection it is blocked once it tries to publish.
        let publish = Task {
            try await channel.publishConfirmed(ByteBuffer(string: "held"), routingKey: queue.queue)
        }
        guard case .blocked(let reason) = await events.next() else {
            Issue.record("no connection.blocked after the memory alarm")
            return
        }
        #expect(reason.contains("memory"))

        try await RabbitMQPeer.ctlDetached("set_vm_memory_high_watermark", "0.4")
        #expect(await events.next() == .unblocked)
        try await publish.value
        let counted = try await channel.queueDeclare(queue.queue, passive: true)
        #expect(counted.messageCount == 1)
        try await connection.close()
    }
}
