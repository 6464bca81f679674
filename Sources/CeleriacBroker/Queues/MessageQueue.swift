import AMQPProtocol
import Foundation

/// What a queue needs from the vhost that holds it.
protocol QueueHost: AnyObject {
    var clock: any BrokerClock { get }
    /// A message left the queue for its dead-letter exchange (if it has one).
    func deadLetter(_ message: QueuedMessage, reason: DeadLetterReason, from queue: MessageQueue)
    /// The queue went unused for its x-expires.
    func queueExpired(_ queue: MessageQueue)
    /// A persistent message could not be written; it stays in memory only.
    func storageFailed(_ error: StorageError, in queue: MessageQueue)
}

/// Milliseconds since 1970: stored expiry times outlive the process, so they are wall-clock.
enum WallClock {
    static var milliseconds: UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }
}

/// A queue: messages waiting, the consumers they go to in turn, and what it counts for the
/// management API. Everything happens on the broker's event loop, so no locks.
final class MessageQueue {
    let name: String
    let durable: Bool
    let autoDelete: Bool
    /// The connection that declared an exclusive queue; it alone may use it.
    let exclusiveOwner: ObjectIdentifier?
    let arguments: AMQPTable
    let settings: QueueArguments
    weak var host: (any QueueHost)?
    /// Where persistent messages go, for a durable queue on a broker with a data dir.
    var store: QueueStore?

    /// Internal, not private: the expiry extension takes expired heads from it.
    var ready: ReadyMessages
    private(set) var consumers: [QueueConsumer] = []
    private var nextConsumer = 0
    /// Delivered to a consumer, not acked yet.
    private(set) var unackedCount = 0
    /// Whether a consumer ever attached: auto-delete applies only after one has.
    private(set) var hadConsumer = false
    private(set) var statistics = QueueStatistics()
    /// Set once its virtual host removed it: whoever still holds it (a channel's route
    /// cache) knows to look again.
    var isRemoved = false
    var expiryTimer: (work: any ScheduledWork, deadline: UInt64)?
    var unusedTimer: (any ScheduledWork)?

    init(name: String, durable: Bool, autoDelete: Bool, exclusiveOwner: ObjectIdentifier?, arguments: AMQPTable,
         host: (any QueueHost)? = nil) throws(AMQPException) {
        self.name = name
        self.durable = durable
        self.autoDelete = autoDelete
        self.exclusiveOwner = exclusiveOwner
        self.arguments = arguments
        settings = try QueueArguments(validating: arguments)
        ready = ReadyMessages(maximumPriority: settings.maximumPriority)
        self.host = host
        scheduleUnusedExpiry()
    }

    var messageCount: Int { ready.count }

    // MARK: Messages in

    /// Takes a routed message; false when the queue is full and refuses publishes
    /// (x-overflow reject-publish), which the publisher hears as a nack.
    @discardableResult
    func enqueue(_ content: MessageContent, messageTTL: UInt64?) -> Bool {
        var message = QueuedMessage(content: content)
        // The sooner of the queue's and the message's TTL, without an array per publish.
        let ttl = switch (settings.messageTTL, messageTTL) {
        case let (queueTTL?, ownTTL?): min(queueTTL, ownTTL)
        case let (queueTTL, ownTTL): queueTTL ?? ownTTL
        }
        if let ttl, let clock = host?.clock {
            message.expiresAt = clock.now + ttl * 1_000_000
        }
        if let store, content.isPersistent {
            do {
                message.location = try store.append(message, wallClockExpiry: ttl.map { WallClock.milliseconds + $0 })
            } catch {
                host?.storageFailed(error, in: self)
            }
        }
        return enqueue(message)
    }

    /// A message read back from the store at start: queued as it was, not written again.
    func restore(_ content: MessageContent, wallClockExpiry: UInt64, location: StoreLocation) {
        var message = QueuedMessage(content: content, location: location)
        if wallClockExpiry > 0, let clock = host?.clock {
            let remaining = wallClockExpiry > WallClock.milliseconds ? wallClockExpiry - WallClock.milliseconds : 0
            message.expiresAt = clock.now + remaining * 1_000_000
        }
        ready.append(message)
    }

    /// The message left the queue for good: its stored copy goes too.
    func forget(_ message: QueuedMessage) {
        if let location = message.location { store?.acknowledge(location) }
    }

    @discardableResult
    func enqueue(_ message: QueuedMessage) -> Bool {
        if let limit = settings.maximumLength, ready.count >= limit {
            switch settings.overflow {
            case .dropHead:
                if limit == 0 {
                    // Nothing may wait, but a consumer with room still takes it at once.
                    if deliverDirectly(message) { return true }
                    forget(message)
                    host?.deadLetter(message, reason: .maxlen, from: self)
                    return true
                }
                if let head = ready.popFirst() {
                    forget(head)
                    host?.deadLetter(head, reason: .maxlen, from: self)
                }
            case .rejectPublish:
                forget(message)
                return false
            case .rejectPublishDeadLetter:
                forget(message)
                host?.deadLetter(message, reason: .maxlen, from: self)
                return false
            }
        }
        statistics.published += 1
        // Nothing waiting and a consumer with room: straight to it, not through the line.
        if ready.isEmpty, let consumer = nextConsumerWithRoom() {
            deliver(message, to: consumer)
            return true
        }
        ready.append(message)
        deliverReady()
        // A message already past its TTL (expiration "0") goes now unless a consumer took it.
        if message.expiresAt != nil { dropExpiredHead() }
        return true
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

    func purge() -> Int {
        let dropped = ready.removeAll()
        for message in dropped { forget(message) }
        cancelExpiryTimer()
        return dropped.count
    }

    // MARK: Messages out

    /// Hands waiting messages to consumers with room, in turn, until one side runs out.
    func dispatch() {
        dropExpiredHead()
        deliverReady()
    }

    private func deliverReady() {
        while !ready.isEmpty, let consumer = nextConsumerWithRoom() {
            deliver(ready.popFirst()!, to: consumer)
        }
    }

    private func deliverDirectly(_ message: QueuedMessage) -> Bool {
        guard let consumer = nextConsumerWithRoom() else { return false }
        statistics.published += 1
        deliver(message, to: consumer)
        return true
    }

    private func deliver(_ message: QueuedMessage, to consumer: QueueConsumer) {
        if consumer.noAck {
            forget(message)
        } else {
            consumer.unacked += 1
            unackedCount += 1
        }
        statistics.delivered += 1
        consumer.channel.deliver(message, from: self, to: consumer)
    }

    /// basic.get: the next message, counted as unacked unless `noAck`.
    func take(noAck: Bool) -> QueuedMessage? {
        touch()
        dropExpiredHead()
        guard let message = ready.popFirst() else { return nil }
        if noAck { forget(message) } else { unackedCount += 1 }
        statistics.delivered += 1
        return message
    }

    /// A delivery was acked, rejected or returned; its consumer (if still there) has room
    /// again. Unless it is coming back (`requeued`), the message is gone for good.
    func settled(_ message: QueuedMessage, by consumer: QueueConsumer?, acked: Bool, requeued: Bool = false) {
        unackedCount -= 1
        if let consumer { consumer.unacked -= 1 }
        if acked { statistics.acked += 1 }
        if !requeued { forget(message) }
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
            throw .accessRefused("queue '\(name)' has an exclusive consumer")
        }
        if consumer.isExclusive, !consumers.isEmpty {
            throw .accessRefused("queue '\(name)' has consumers; an exclusive consumer needs it alone")
        }
        consumers.append(consumer)
        hadConsumer = true
        cancelUnusedTimer()
        dispatch()
    }

    /// Removes the consumer; returns whether the queue should now be auto-deleted.
    func remove(_ consumer: QueueConsumer) -> Bool {
        consumers.removeAll { $0 === consumer }
        if nextConsumer >= consumers.count { nextConsumer = 0 }
        if consumers.isEmpty { scheduleUnusedExpiry() }
        return autoDelete && hadConsumer && consumers.isEmpty
    }

    /// Tells every consumer that the queue is gone (before deletion), and stops its timers.
    func cancelAllConsumers() {
        let all = consumers
        consumers = []
        cancelExpiryTimer()
        cancelUnusedTimer()
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
