import AMQPProtocol
@testable import CeleriacBroker
import Testing

struct MessageQueueTests {
    func queue(_ arguments: [String: AMQPFieldValueLiteral] = [:]) throws -> MessageQueue {
        try MessageQueue(name: "q", durable: false, autoDelete: false, exclusiveOwner: nil,
                         arguments: arguments.mapValues(\.value))
    }

    @Test func consumersTakeTurnsWithinTheirPrefetch() throws {
        let queue = try queue()
        let channel = RecordingChannel()
        let first = QueueConsumer(tag: "a", channel: channel, queue: queue, noAck: false, isExclusive: false, prefetchLimit: 1)
        let second = QueueConsumer(tag: "b", channel: channel, queue: queue, noAck: false, isExclusive: false, prefetchLimit: 2)
        try queue.add(first)
        try queue.add(second)
        for body in ["1", "2", "3", "4", "5"] { queue.enqueue(QueuedMessage(content: MessageContentFixture.make(body))) }
        // a: 1 (then full); b: 2, 3 (then full); 4 and 5 wait.
        #expect(channel.delivered.map(\.consumer) == ["a", "b", "b"])
        #expect(queue.messageCount == 2)
        #expect(queue.unackedCount == 3)
        queue.settled(QueuedMessage(content: MessageContentFixture.make("1")), by: first, acked: true)
        queue.dispatch()
        #expect(channel.delivered.last?.consumer == "a")
        #expect(channel.delivered.last?.body == "4")
        #expect(queue.statistics.acked == 1)
    }

    @Test func aChannelWithoutRoomGetsNothingUntilItHasRoom() throws {
        let queue = try queue()
        let channel = RecordingChannel()
        channel.open = false
        try queue.add(QueueConsumer(tag: "a", channel: channel, queue: queue, noAck: true, isExclusive: false, prefetchLimit: 0))
        queue.enqueue(QueuedMessage(content: MessageContentFixture.make("x")))
        #expect(channel.delivered.isEmpty)
        channel.open = true
        queue.dispatch()
        #expect(channel.delivered.map(\.body) == ["x"])
        #expect(queue.unackedCount == 0)  // no-ack deliveries are settled when sent
    }

    @Test func requeuedMessagesGoBackToTheHeadInOrderMarkedRedelivered() throws {
        let queue = try queue()
        for body in ["3"] { queue.enqueue(QueuedMessage(content: MessageContentFixture.make(body))) }
        let one = try #require(queue.take(noAck: false))
        queue.enqueue(QueuedMessage(content: MessageContentFixture.make("4")))
        queue.settled(one, by: nil, acked: false, requeued: true)
        queue.requeue([QueuedMessage(content: MessageContentFixture.make("1")), QueuedMessage(content: MessageContentFixture.make("2")), one])
        var order: [(String, Bool)] = []
        while let message = queue.take(noAck: true) { order.append((String(buffer: message.content.body), message.redelivered)) }
        #expect(order.map(\.0) == ["1", "2", "3", "4"])
        #expect(order.map(\.1) == [true, true, true, false])
    }

    @Test func higherPrioritiesGoFirstUpToTheQueuesMaximum() throws {
        let queue = try queue(["x-max-priority": .int(5)])
        for (body, priority) in [("low", 0), ("mid", 3), ("capped", 9), ("high", 5)] as [(String, UInt8)] {
            queue.enqueue(QueuedMessage(content: MessageContentFixture.make(body, priority: priority)))
        }
        var order: [String] = []
        while let message = queue.take(noAck: true) { order.append(String(buffer: message.content.body)) }
        // 9 is capped to 5, and among equals arrival order holds.
        #expect(order == ["capped", "high", "mid", "low"])
    }

    @Test func anExclusiveConsumerKeepsOthersOut() throws {
        let queue = try queue()
        let channel = RecordingChannel()
        try queue.add(QueueConsumer(tag: "only", channel: channel, queue: queue, noAck: false, isExclusive: true, prefetchLimit: 0))
        #expect(throws: AMQPException.self) {
            try queue.add(QueueConsumer(tag: "second", channel: channel, queue: queue, noAck: false, isExclusive: false, prefetchLimit: 0))
        }
    }

    @Test func aBadMaxPriorityIsRefused() {
        #expect(throws: AMQPException.self) { try queue(["x-max-priority": .int(300)]) }
        #expect(throws: AMQPException.self) { try queue(["x-max-priority": .text("ten")]) }
    }
}

/// Literal arguments for the tests, without spelling AMQPFieldValue cases each time.
enum AMQPFieldValueLiteral {
    case int(Int64)
    case text(String)

    var value: AMQPFieldValue {
        switch self {
        case .int(let number): return .int64(number)
        case .text(let text): return .string(text)
        }
    }
}
