import AMQPClient
import NIOCore
import Testing

@Suite("Publishing and consuming through RabbitMQ", .enabled(if: RabbitMQPeer.isAvailable), .timeLimit(.minutes(1)))
struct PublishConsumeTests {
    @Test func publishConsumeAndAckWithProperties() async throws {
        let connection = try await RabbitMQPeer.connect()
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true)
        let properties = AMQPBasicProperties(
            contentType: "application/json", contentEncoding: "utf-8",
            headers: ["task": "fix.add", "retries": 0, "timelimit": [nil, nil], "nested": ["a": 1.5]],
            deliveryMode: 2, priority: 5, correlationID: "c-1", replyTo: "reply-q", messageID: "m-1",
            timestamp: 1_700_000_000, type: "t", appID: "celeriac")
        try await channel.publish(ByteBuffer(string: "[[2, 3], {}, {}]"), routingKey: queue.queue,
                                  properties: properties)
        let consumer = try await channel.consume(queue: queue.queue)
        var iterator = consumer.makeAsyncIterator()
        let delivery = try #require(try await iterator.next())
        #expect(String(buffer: delivery.body) == "[[2, 3], {}, {}]")
        #expect(delivery.properties == properties)
        #expect(delivery.routingKey == queue.queue)
        #expect(delivery.exchange == "")
        #expect(!delivery.redelivered)
        #expect(delivery.consumerTag == consumer.consumerTag)
        try delivery.ack()
        try await consumer.cancel()
        #expect(try await iterator.next() == nil)  // cancel ends the sequence normally
        let after = try await channel.queueDeclare(queue.queue, passive: true)
        #expect(after.messageCount == 0)
        try await connection.close()
    }

    @Test func passiveDeclareCountsAndPurgeAndDelete() async throws {
        let connection = try await RabbitMQPeer.connect()
        let channel = try await connection.openChannel()
        let name = RabbitMQPeer.uniqueName("counts")
        try await channel.queueDeclare(name, autoDelete: false)
        try await channel.confirmSelect()
        for i in 0..<5 { try await channel.publish(ByteBuffer(string: "\(i)"), routingKey: name) }
        try await channel.waitForConfirms()
        let consumerChannel = try await connection.openChannel()
        // Held in a variable: a consumer whose sequence is dropped cancels itself.
        let consumer = try await consumerChannel.consume(queue: name, noAck: false)
        let counted = try await channel.queueDeclare(name, passive: true)
        #expect(counted.consumerCount == 1)
        withExtendedLifetime(consumer) {}
        try await consumerChannel.close()
        let ready = try await channel.queueDeclare(name, passive: true)
        #expect(ready.messageCount == 5)  // unacked messages return when the channel closes
        #expect(try await channel.queuePurge(name) == 5)
        try await channel.publish(ByteBuffer(string: "last"), routingKey: name)
        try await channel.waitForConfirms()
        #expect(try await channel.queueDelete(name) == 1)
        do {
            try await channel.queueDeclare(name, passive: true)
            Issue.record("a deleted queue still exists")
        } catch let AMQPClientError.channelClosedByServer(code, _, _, _) {
            #expect(code == .notFound)
        }
        try await connection.close()
    }

    @Test func getNackRequeueAndReject() async throws {
        let connection = try await RabbitMQPeer.connect()
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true)
        #expect(try await channel.get(queue: queue.queue) == nil)
        try await channel.confirmSelect()
        try await channel.publish(ByteBuffer(string: "again"), routingKey: queue.queue)
        try await channel.waitForConfirms()
        let first = try #require(try await channel.get(queue: queue.queue))
        #expect(!first.redelivered)
        try first.nack(requeue: true)
        let second = try #require(try await channel.get(queue: queue.queue))
        #expect(second.redelivered)
        #expect(String(buffer: second.body) == "again")
        try second.reject(requeue: false)
        #expect(try await channel.get(queue: queue.queue) == nil)
        try await connection.close()
    }

    @Test func prefetchBoundsUnackedDeliveries() async throws {
        let connection = try await RabbitMQPeer.connect()
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true)
        try await channel.confirmSelect()
        for i in 0..<10 { try await channel.publish(ByteBuffer(string: "\(i)"), routingKey: queue.queue) }
        try await channel.waitForConfirms()
        try await channel.basicQos(prefetchCount: 3)
        let consumer = try await channel.consume(queue: queue.queue)
        var iterator = consumer.makeAsyncIterator()
        var received: [AMQPDelivery] = []
        for _ in 0..<3 { received.append(try #require(try await iterator.next())) }
        // With three unacked the broker holds the other seven back.
        let held = try await channel.queueDeclare(queue.queue, passive: true)
        #expect(held.messageCount == 7)
        try received.last!.ack(multiple: true)
        for _ in 0..<7 {
            let delivery = try #require(try await iterator.next())
            try delivery.ack()
        }
        try await connection.close()
    }

    @Test func exchangeToExchangeBindingsRouteByTopic() async throws {
        let connection = try await RabbitMQPeer.connect()
        let channel = try await connection.openChannel()
        let source = RabbitMQPeer.uniqueName("source")
        let destination = RabbitMQPeer.uniqueName("destination")
        try await channel.exchangeDeclare(source, type: "topic")
        try await channel.exchangeDeclare(destination, type: "fanout", autoDelete: true)
        try await channel.exchangeBind(destination: destination, source: source, routingKey: "task.#")
        let queue = try await channel.queueDeclare(exclusive: true)
        try await channel.queueBind(queue.queue, exchange: destination)
        try await channel.confirmSelect()
        try await channel.publish(ByteBuffer(string: "skipped"), exchange: source, routingKey: "worker.heartbeat")
        try await channel.publish(ByteBuffer(string: "routed"), exchange: source, routingKey: "task.multi")
        try await channel.waitForConfirms()
        let routed = try #require(try await channel.get(queue: queue.queue, noAck: true))
        #expect(String(buffer: routed.body) == "routed")
        #expect(routed.routingKey == "task.multi")
        #expect(try await channel.get(queue: queue.queue) == nil)
        try await channel.exchangeUnbind(destination: destination, source: source, routingKey: "task.#")
        try await channel.publish(ByteBuffer(string: "after unbind"), exchange: source, routingKey: "task.multi")
        try await channel.waitForConfirms()
        #expect(try await channel.get(queue: queue.queue) == nil)
        try await channel.queueUnbind(queue.queue, exchange: destination)
        try await channel.exchangeDelete(destination)
        try await channel.exchangeDelete(source)
        try await connection.close()
    }

    @Test func largeMessagesSpanManyFrames() async throws {
        let connection = try await RabbitMQPeer.connect { $0.frameMax = 4096 }
        #expect(connection.frameMax == 4096)
        let channel = try await connection.openChannel()
        let queue = try await channel.queueDeclare(exclusive: true)
        // A 251-byte pattern (prime, so no two frames hold the same bytes) written whole: byte by
        // byte, a debug build spends seconds here, a minute on a loaded machine.
        let pattern = (0..<251).map { UInt8($0) }
        var body = ByteBuffer()
        while body.readableBytes < 1 << 20 { body.writeBytes(pattern) }
        try await channel.confirmSelect()
        try await channel.publishConfirmed(body, routingKey: queue.queue)
        let delivery = try #require(try await channel.get(queue: queue.queue, noAck: true))
        #expect(delivery.body == body)
        try await connection.close()
    }

    @Test func manyChannelsOnOneConnection() async throws {
        let connection = try await RabbitMQPeer.connect()
        let queue = try await connection.openChannel().queueDeclare(exclusive: true)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<20 {
                group.addTask {
                    let channel = try await connection.openChannel()
                    try await channel.confirmSelect()
                    for j in 0..<50 {
                        try await channel.publish(ByteBuffer(string: "\(i)-\(j)"), routingKey: queue.queue)
                    }
                    try await channel.waitForConfirms()
                    try await channel.close()
                }
            }
            try await group.waitForAll()
        }
        let counted = try await connection.openChannel().queueDeclare(queue.queue, passive: true)
        #expect(counted.messageCount == 1000)
        try await connection.close()
    }

    @Test func theBrokerCancellingAConsumerEndsItsSequence() async throws {
        let connection = try await RabbitMQPeer.connect()
        let channel = try await connection.openChannel()
        let name = RabbitMQPeer.uniqueName("cancelled")
        try await channel.queueDeclare(name)
        let consumer = try await channel.consume(queue: name)
        let other = try await connection.openChannel()
        try await other.queueDelete(name)
        do {
            for try await _ in consumer {}
            Issue.record("the consumer of a deleted queue ended without an error")
        } catch let AMQPClientError.consumerCancelledByServer(tag) {
            #expect(tag == consumer.consumerTag)
        }
        #expect(channel.isOpen)
        try await connection.close()
    }
}
