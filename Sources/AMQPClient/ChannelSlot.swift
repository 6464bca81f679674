import NIOConcurrencyHelpers
import NIOCore
import Synchronization

/// What a reply to a synchronous method completes with.
enum RPCReply: Sendable {
    case method(AMQPMethod)
    /// basic.get-ok with its message.
    case message(AMQPContentAssembler.Message)
}

/// Where a consumer's deliveries go, called on the event loop: an async sequence's
/// continuation, or the handler a push-style consumer gave.
struct DeliverySink: Sendable {
    let deliver: @Sendable (AMQPDelivery) -> Void
    /// nil for a normal end (the consumer was cancelled, or we closed the channel).
    let end: @Sendable ((any Error)?) -> Void

    init(deliver: @escaping @Sendable (AMQPDelivery) -> Void, end: @escaping @Sendable ((any Error)?) -> Void) {
        self.deliver = deliver
        self.end = end
    }

    init(_ continuation: AsyncThrowingStream<AMQPDelivery, any Error>.Continuation) {
        deliver = { continuation.yield($0) }
        end = { error in
            if let error { continuation.finish(throwing: error) } else { continuation.finish() }
        }
    }

    func finish() { end(nil) }

    func finish(throwing error: any Error) { end(error) }
}

/// A synchronous method sent and waiting for its reply. Replies on one channel come in the
/// order the requests went out, so a FIFO pairs them.
struct PendingRPC {
    enum Purpose {
        case plain
        case openChannel
        case closeChannel
        case consume(tag: String, noAck: Bool, sink: DeliverySink)
        case get(noAck: Bool)
        case cancel(tag: String)
    }

    /// (class id, method id) pairs that may answer; basic.get has two.
    var expected: [(UInt16, UInt16)]
    var purpose: Purpose
    var promise: EventLoopPromise<RPCReply>

    func accepts(_ method: AMQPMethod) -> Bool {
        expected.contains { $0.0 == method.classID && $0.1 == method.methodID }
    }
}

/// The first error that ended a channel or connection, readable from any thread so that
/// fire-and-forget calls (publish, ack) can refuse at once.
final class ClosedState: Sendable {
    private let box = NIOLockedValueBox<AMQPClientError?>(nil)
    /// Whether `box` holds an error, read without the lock: a publisher asks before every
    /// message, and taking the lock each time cost more than the rest of the check.
    private let isSet = Atomic<Bool>(false)

    var error: AMQPClientError? {
        guard isSet.load(ordering: .acquiring) else { return nil }
        return box.withLockedValue { $0 }
    }

    /// Records the error unless one is already there; returns whether this call set it.
    @discardableResult
    func close(with error: AMQPClientError) -> Bool {
        box.withLockedValue { current in
            guard current == nil else { return false }
            current = error
            isSet.store(true, ordering: .releasing)
            return true
        }
    }
}

/// The event-loop side of one open channel. Only the connection handler touches it.
final class ChannelSlot {
    enum Lifecycle { case opening, open, closing }

    let channel: AMQPChannel
    var lifecycle: Lifecycle = .opening
    var pending: [PendingRPC] = []
    var assembler = AMQPContentAssembler()
    var consumers: [String: DeliverySink] = [:] { didSet { lastConsumer = nil } }
    /// Consumers whose deliveries the broker counts as acked when it sends them.
    var noAckConsumers: Set<String> = [] { didSet { lastConsumer = nil } }
    /// The consumer the last delivery went to. A channel mostly delivers to one, so a
    /// delivery's tag is compared with it before anything is hashed; forgotten whenever
    /// the consumers change.
    private var lastConsumer: (tag: String, sink: DeliverySink, noAck: Bool)?

    /// The consumer a delivery names, and whether it consumes without acks.
    func consumer(tagged tag: String) -> (sink: DeliverySink?, noAck: Bool) {
        if let last = lastConsumer, last.tag == tag { return (last.sink, last.noAck) }
        let noAck = !noAckConsumers.isEmpty && noAckConsumers.contains(tag)
        guard let sink = consumers[tag] else { return (nil, noAck) }
        lastConsumer = (tag, sink, noAck)
        return (sink, noAck)
    }
    var unsettled = UnsettledDeliveries()
    var confirmMode = false
    var confirms = ConfirmTracker<EventLoopPromise<Void>>()
    var confirmDrainWaiters: [EventLoopPromise<Void>] = []

    init(channel: AMQPChannel) {
        self.channel = channel
    }
}
