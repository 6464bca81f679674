import NIOCore

/// A queue's messages waiting for a consumer, in order; with `x-max-priority`, one lane per
/// priority and the highest non-empty lane first, as RabbitMQ's priority queues do.
struct ReadyMessages {
    private var lanes: [CircularBuffer<QueuedMessage>]
    private let maximumPriority: UInt8
    private(set) var count = 0
    private(set) var bodyBytes = 0

    init(maximumPriority: UInt8 = 0) {
        self.maximumPriority = maximumPriority
        lanes = Array(repeating: CircularBuffer(), count: Int(maximumPriority) + 1)
    }

    var isEmpty: Bool { count == 0 }

    mutating func append(_ message: QueuedMessage) {
        lanes[lane(of: message)].append(message)
        added(message)
    }

    /// Puts a message back before the others of its priority (a requeue).
    mutating func prepend(_ message: QueuedMessage) {
        lanes[lane(of: message)].prepend(message)
        added(message)
    }

    /// The message the next consumer would get.
    var first: QueuedMessage? {
        for index in lanes.indices.reversed() where !lanes[index].isEmpty { return lanes[index].first }
        return nil
    }

    mutating func popFirst() -> QueuedMessage? {
        guard count > 0 else { return nil }
        for index in lanes.indices.reversed() where !lanes[index].isEmpty {
            let message = lanes[index].removeFirst()
            count -= 1
            bodyBytes -= message.content.body.readableBytes
            return message
        }
        return nil
    }

    /// Empties the queue, returning the messages dropped.
    mutating func removeAll() -> [QueuedMessage] {
        var dropped: [QueuedMessage] = []
        dropped.reserveCapacity(count)
        for index in lanes.indices.reversed() {
            dropped.append(contentsOf: lanes[index])
            lanes[index].removeAll(keepingCapacity: false)
        }
        count = 0
        bodyBytes = 0
        return dropped
    }

    private func lane(of message: QueuedMessage) -> Int { message.priority(limit: maximumPriority) }

    private mutating func added(_ message: QueuedMessage) {
        count += 1
        bodyBytes += message.content.body.readableBytes
    }
}
