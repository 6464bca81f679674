/// What a queue delivers through: a broker channel, or a test's stand-in for one.
protocol DeliveryChannel: AnyObject {
    /// Whether the channel can take another delivery now (its global prefetch, flow, and
    /// the socket's backlog).
    var canTakeDelivery: Bool { get }
    func deliver(_ message: QueuedMessage, from queue: MessageQueue, to consumer: QueueConsumer)
    /// The queue went away under the consumer; RabbitMQ sends basic.cancel for it.
    func queueCancelled(_ consumer: QueueConsumer)
}

/// One basic.consume: a queue, a channel, and its own prefetch window.
final class QueueConsumer {
    let tag: String
    unowned let channel: any DeliveryChannel
    unowned let queue: MessageQueue
    let noAck: Bool
    let isExclusive: Bool
    /// basic.qos prefetch-count with global=false at the time of the consume; 0 is no limit.
    let prefetchLimit: Int
    /// Deliveries to this consumer not settled yet.
    var unacked = 0

    init(tag: String, channel: any DeliveryChannel, queue: MessageQueue, noAck: Bool, isExclusive: Bool, prefetchLimit: Int) {
        self.tag = tag
        self.channel = channel
        self.queue = queue
        self.noAck = noAck
        self.isExclusive = isExclusive
        self.prefetchLimit = prefetchLimit
    }

    var canTakeDelivery: Bool {
        (noAck || prefetchLimit == 0 || unacked < prefetchLimit) && channel.canTakeDelivery
    }
}
