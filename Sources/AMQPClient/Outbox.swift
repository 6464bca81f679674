import AMQPProtocol
import NIOConcurrencyHelpers
import NIOCore

/// Publishes and acknowledgements waiting for the event loop. Each is made on its caller's
/// thread; handing each to the loop by itself would cost a wake-up per message, so they queue
/// here and one loop task hands over everything queued since the last one — in call order,
/// which keeps the publisher-confirm sequence numbers in order, and lets a run of acks
/// leave as one frame. Publishes in a row on one channel are encoded back to back into one
/// buffer, so the loop writes them with one call instead of one each.
final class Outbox: Sendable {
    enum Entry: Sendable {
        case publish(Publish)
        case settle(Settlement)
    }

    /// Messages published in a row on one channel, encoded into one buffer.
    struct Publish: Sendable {
        var frames: ByteBuffer
        var channel: UInt16
        /// One per message, in publishing order: the confirm waiter, if the publisher wants one.
        var confirms: [EventLoopPromise<Void>?]
        /// Completed once the frames are written, for a publisher that waits for the socket.
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

    /// A publisher may run this far ahead of the socket before it waits for the bytes to be
    /// written: memory stays bounded however fast it publishes.
    static let publishWindowBytes = 1 << 20

    private struct State {
        var waiting: [Entry] = []
        /// The publishes since the last other entry, still open for more.
        var run: Publish?
        var drainScheduled = false
        /// Bytes handed over since a publisher last waited for the socket.
        var unsentBytes = 0
    }

    private let state = NIOLockedValueBox(State())
    private let allocator: ByteBufferAllocator

    init(allocator: ByteBufferAllocator = ByteBufferAllocator()) {
        self.allocator = allocator
    }

    /// What `publish` asks of its caller.
    struct PublishOutcome {
        /// The caller must schedule a drain on the loop.
        var mustScheduleDrain: Bool
        /// Completed when the publish is written; the caller waits for it before going on.
        var written: EventLoopPromise<Void>?
    }

    /// Encodes a message with `encode` straight into the open run of `channel`. A message
    /// that fails to encode leaves nothing behind, and its error is returned.
    func publish(on channel: UInt16, confirm: EventLoopPromise<Void>?, eventLoop: any EventLoop,
                 _ encode: (inout ByteBuffer) throws(AMQPProtocolError) -> Void) -> Result<PublishOutcome, AMQPProtocolError> {
        state.withLockedValue { state in
            if let run = state.run, run.channel != channel {
                state.waiting.append(.publish(run))
                state.run = nil
            }
            if state.run == nil {
                state.run = Publish(frames: allocator.buffer(capacity: 4096), channel: channel, confirms: [], written: nil)
            }
            let before = state.run!.frames.writerIndex
            do throws(AMQPProtocolError) {
                try encode(&state.run!.frames)
            } catch {
                return .failure(error)
            }
            state.run!.confirms.append(confirm)
            state.unsentBytes += state.run!.frames.writerIndex - before
            var written: EventLoopPromise<Void>?
            if state.unsentBytes >= Self.publishWindowBytes {
                // The run ends here, so its write completes what this publisher waits for.
                state.unsentBytes = 0
                written = eventLoop.makePromise(of: Void.self)
                state.run!.written = written
                state.waiting.append(.publish(state.run!))
                state.run = nil
            }
            defer { state.drainScheduled = true }
            return .success(PublishOutcome(mustScheduleDrain: !state.drainScheduled, written: written))
        }
    }

    /// Queues `entry`; true when the caller must schedule a drain on the loop.
    func add(_ entry: Entry) -> Bool {
        state.withLockedValue { state in
            if let run = state.run {
                state.waiting.append(.publish(run))
                state.run = nil
            }
            state.waiting.append(entry)
            defer { state.drainScheduled = true }
            return !state.drainScheduled
        }
    }

    /// Everything queued, in order; the next `add` schedules a new drain.
    func takeAll() -> [Entry] {
        state.withLockedValue { state in
            state.drainScheduled = false
            if let run = state.run {
                state.waiting.append(.publish(run))
                state.run = nil
            }
            defer { state.waiting.removeAll(keepingCapacity: true) }
            return state.waiting
        }
    }
}
