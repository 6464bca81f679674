import NIOConcurrencyHelpers
import NIOCore

/// Publishes and acknowledgements waiting for the event loop. Each is made on its caller's
/// thread; handing each to the loop by itself would cost a wake-up per message, so they queue
/// here and one loop task hands over everything queued since the last one — in call order,
/// which keeps the publisher-confirm sequence numbers in order, and lets a run of acks
/// leave as one frame.
final class Outbox: Sendable {
    enum Entry: Sendable {
        case publish(Publish)
        case settle(Settlement)
    }

    struct Publish: Sendable {
        var frames: ByteBuffer
        var channel: UInt16
        var confirm: EventLoopPromise<Void>?
        var written: EventLoopPromise<Void>?
    }

    /// basic.ack, basic.nack or basic.reject of a delivery.
    struct Settlement: Sendable {
        enum Kind: Sendable {
            case ack(multiple: Bool)
            case nack(multiple: Bool, requeue: Bool)
            case reject(requeue: Bool)
        }

        var channel: UInt16
        var deliveryTag: UInt64
        var kind: Kind
    }

    private let state = NIOLockedValueBox((waiting: [Entry](), drainScheduled: false))

    /// Queues `entry`; true when the caller must schedule a drain on the loop.
    func add(_ entry: Entry) -> Bool {
        state.withLockedValue { state in
            state.waiting.append(entry)
            defer { state.drainScheduled = true }
            return !state.drainScheduled
        }
    }

    /// Everything queued, in order; the next `add` schedules a new drain.
    func takeAll() -> [Entry] {
        state.withLockedValue { state in
            state.drainScheduled = false
            defer { state.waiting.removeAll(keepingCapacity: true) }
            return state.waiting
        }
    }
}
