import NIOConcurrencyHelpers
import NIOCore

/// Publishes waiting for the event loop. Each publish is encoded on its caller's thread;
/// handing each to the loop by itself would cost a wake-up per message, so they queue
/// here and one loop task hands over everything queued since the last one — in call order,
/// which keeps the publisher-confirm sequence numbers in order.
final class PublishOutbox: Sendable {
    struct Publish: Sendable {
        var frames: ByteBuffer
        var channel: UInt16
        var confirm: EventLoopPromise<Void>?
        var written: EventLoopPromise<Void>?
    }

    private let state = NIOLockedValueBox((waiting: [Publish](), drainScheduled: false))

    /// Queues `publish`; true when the caller must schedule a drain on the loop.
    func add(_ publish: Publish) -> Bool {
        state.withLockedValue { state in
            state.waiting.append(publish)
            defer { state.drainScheduled = true }
            return !state.drainScheduled
        }
    }

    /// Everything queued, in order; the next `add` schedules a new drain.
    func takeAll() -> [Publish] {
        state.withLockedValue { state in
            state.drainScheduled = false
            defer { state.waiting.removeAll(keepingCapacity: true) }
            return state.waiting
        }
    }
}
