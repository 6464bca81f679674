import AMQPProtocol

/// A queue: messages waiting, the consumers they go to in turn, and what it counts for the
/// management API. Everything happens on the broker's event loop, so no locks.
final class MessageQueue {
    let name: String
    let durable: Bool
    let autoDelete: Bool
    /// The connection that declared an exclusive queue; it alone may use it.
    let exclusiveOwner: ObjectIdentifier?
    let arguments: AMQPTable
    let maximumPriority: UInt8

    private(set) var ready: ReadyMessages
    private(set) var consumers: [QueueConsumer] = []
    private var nextConsumer = 0
    /// Delivered to a consumer, not acked yet.
    private(set) var unackedCount = 0
    /// Whether a consumer ever attached: auto-delete applies only after one has.
    private(set) var hadConsumer = false
    private(set) var statistics = QueueStatistics()

    init(name: String, durable: Bool, autoDelete: Bool, exclusiveOwner: ObjectIdentifier?, arguments: AMQPTable)
        throws(AMQPException)
    {
        self.name = name
        self.durable = durable
        self.autoDelete = autoDelete
        self.exclusiveOwner = exclusiveOwner
        self.arguments = arguments
        maximumPriority = try QueueArguments.maximumPriority(in: arguments)
        ready = ReadyMessages(maximumPriority: maximumPriority)
    }

    var messageCount: Int { ready.count }

    // MARK: Messages in

    func enqueue(_ message: QueuedMessage) {
        statistics.published += 1
        ready.append(message)
        dispatch()
    }

    /// Puts unacknowledged messages back at the head, in the order given, marked redelivered.
    func requeue(_ messages: [QueuedMessage]) {
        for var message in messages.reversed() {
            message.redelivered = true
            ready.prepend(message)
        }
        statistics.redelivered += messages.count
        dispatch()
    }

    func purge() -> Int { ready.removeAll() }

    // MARK: Messages out

    /// Hands waiting messages to consumers with room, in turn, until one side runs out.
    func dispatch() {
        while !ready.isEmpty, let consumer = nextConsumerWithRoom() {
            let message = ready.popFirst()!
            if !consumer.noAck {
                consumer.unacked += 1
                unackedCount += 1
            }
            statistics.delivered += 1
            consumer.channel.deliver(message, from: self, to: consumer)
        }
    }

    /// basic.get: the next message, counted as unacked unless `noAck`.
    func take(noAck: Bool) -> QueuedMessage? {
        guard let message = ready.popFirst() else { return nil }
        if !noAck { unackedCount += 1 }
        statistics.delivered += 1
        return message
    }

    /// A delivery was acked, rejected or returned; its consumer (if still there) has room again.
    func settled(by consumer: QueueConsumer?, acked: Bool) {
        unackedCount -= 1
        if let consumer { consumer.unacked -= 1 }
        if acked { statistics.acked += 1 }
    }

    private func nextConsumerWithRoom() -> QueueConsumer? {
        let count = consumers.count
        guard count > 0 else { return nil }
        for offset in 0..<count {
            let index = (nextConsumer + offset) % count
            if consumers[index].canTakeDelivery {
                nextConsumer = (index + 1) % count
                return consumers[index]
            }
        }
        return nil
    }

    // MARK: Consumers

    func add(_ consumer: QueueConsumer) throws(AMQPException) {
        if consumers.contains(where: \.isExclusive) {
            throw .accessRefused("queue '\(name)' in vhost has an exclusive consumer")
        }
        if consumer.isExclusive, !consumers.isEmpty {
            throw .accessRefused("queue '\(name)' has consumers; an exclusive consumer needs it alone")
        }
        consumers.append(consumer)
        hadConsumer = true
        dispatch()
    }

    /// Removes the consumer; returns whether the queue should now be auto-deleted.
    func remove(_ consumer: QueueConsumer) -> Bool {
        consumers.removeAll { $0 === consumer }
        if nextConsumer >= consumers.count { nextConsumer = 0 }
        return autoDelete && hadConsumer && consumers.isEmpty
    }

    /// Tells every consumer that the queue is gone (before deletion).
    func cancelAllConsumers() {
        let all = consumers
        consumers = []
        for consumer in all { consumer.channel.queueCancelled(consumer) }
    }
}

/// Counters the management API turns into totals and rates.
struct QueueStatistics: Sendable, Hashable {
    var published = 0
    var delivered = 0
    var acked = 0
    var redelivered = 0
}
