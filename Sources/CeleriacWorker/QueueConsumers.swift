import Celeriac
import Logging
import NIOConcurrencyHelpers

/// The worker's consumers, one per queue, all handing their messages to one handler, on the
/// connection's thread as they arrive (no task hop: the worker admits a task there and
/// starts it at once). Queues are added and cancelled at run time (`add_consumer`,
/// `cancel_consumer`). Stopping cancels every consumer; `finished()` returns once they are
/// all gone.
final class QueueConsumers: Sendable {
    /// Takes each message with the queue it came from; must not block.
    private let handler: @Sendable (ReceivedMessage, String) -> Void
    private let transport: any BrokerTransport
    private let prefetch: Int
    /// Each queue's type and arguments, as the configuration gives them.
    private let shape: @Sendable (String) -> TaskQueueShape
    /// Celery's native delayed delivery, for quorum queues behind a topic or fanout exchange.
    private let delayedDelivery: NativeDelayedDelivery.Setup?
    private let logger: Logger
    /// Called when a consumer ends on its own (the broker went away).
    private let onLost: @Sendable (String) -> Void
    private let state = NIOLockedValueBox(State())

    private struct State {
        var order: [String] = []
        var running: [String: BrokerConsumer] = [:]
        /// Queues whose consumer we cancelled, so its end is not taken for a lost broker.
        var cancelling: Set<String> = []
        var stopped = false
        var delayedLevelsDeclared = false
        /// Queues consumed at some time: consuming one again follows a lost connection.
        var consumedBefore: Set<String> = []
        var finished = false
        var finishWaiters: [CheckedContinuation<Void, Never>] = []
    }

    init(transport: any BrokerTransport, prefetch: Int, shape: @escaping @Sendable (String) -> TaskQueueShape,
         delayedDelivery: NativeDelayedDelivery.Setup? = nil, logger: Logger,
         handler: @escaping @Sendable (ReceivedMessage, String) -> Void,
         onLost: @escaping @Sendable (String) -> Void) {
        self.handler = handler
        self.transport = transport
        self.prefetch = prefetch
        self.shape = shape
        self.delayedDelivery = delayedDelivery
        self.logger = logger
        self.onLost = onLost
    }

    /// The broker the consumers are on (for a failover list); nil when the transport cannot say.
    func currentBroker() async -> String? { await transport.currentBroker() }

    /// The queues consumed now, in the order they were added.
    var queues: [String] { state.withLockedValue { $0.order } }

    /// Starts consuming `queue` (declared first, as Celery's worker does); consuming one
    /// already consumed does nothing. Native delayed delivery is set up before consuming
    /// starts, as Celery's worker does, so a client may send a countdown task as soon as the
    /// worker is ready; consuming again after a lost connection sets it up beside consuming
    /// (`setUpDelayedDeliveryBeside`).
    func add(_ queue: String) async throws {
        guard !queues.contains(queue) else { return }
        try await transport.ensureTaskQueue(queue, shape: shape(queue))
        let again = state.withLockedValue { $0.consumedBefore.contains(queue) }
        if let delayedDelivery, !again { try await setUpDelayedDelivery(for: queue, with: delayedDelivery) }
        let (handler, logger) = (handler, logger)
        let consumer = try await transport.consume(
            queue: queue, prefetch: prefetch, noAck: false,
            onMessage: { handler($0, queue) },
            onEnd: { [weak self] error in
                if let error { logger.error("stopped consuming \(queue): \(error)") }
                self?.ended(queue)
            })
        let stopped = state.withLockedValue { state in
            state.order.append(queue)
            state.running[queue] = consumer
            state.consumedBefore.insert(queue)
            if state.stopped { state.cancelling.insert(queue) }
            return state.stopped
        }
        if stopped {
            Task { await consumer.cancel() }
            return
        }
        if let delayedDelivery, again { setUpDelayedDeliveryBeside(queue, with: delayedDelivery) }
    }

    /// The delay levels (once per connection: durable, so a cluster keeps them, but another
    /// broker of a failover list needs them declared again) and the queue's bindings to them.
    private func setUpDelayedDelivery(for queue: String, with setup: NativeDelayedDelivery.Setup) async throws {
        if !state.withLockedValue({ $0.delayedLevelsDeclared }) {
            try await NativeDelayedDelivery.declareLevels(on: transport)
            state.withLockedValue { $0.delayedLevelsDeclared = true }
        }
        if try await !setup.bind(queue, on: transport) {
            logger.warning("\(queue) is behind a direct exchange, which native delayed delivery cannot bind: its countdown tasks wait in the worker (set task_create_missing_queue_exchange_type = \"topic\", or task_default_exchange_type for the default queue)")
        }
    }

    /// `setUpDelayedDelivery` beside consuming, retried until it is in place: on a cluster
    /// that has not yet counted a cut-off node as down (RabbitMQ's net_ticktime),
    /// declarations wait for that node while consuming a quorum queue does not.
    private func setUpDelayedDeliveryBeside(_ queue: String, with setup: NativeDelayedDelivery.Setup) {
        let logger = logger
        Task {
            var attempt = 0
            while state.withLockedValue({ $0.running[queue] != nil && !$0.stopped }) {
                do {
                    return try await setUpDelayedDelivery(for: queue, with: setup)
                } catch {
                    attempt += 1
                    let pause = min(30, 2 * Double(attempt))
                    logger.warning("native delayed delivery for \(queue) is not set up yet: \(error); trying again in \(Int(pause)) s")
                    try? await Task.sleep(for: .seconds(pause))  // the retry interval itself
                }
            }
        }
    }

    /// Stops consuming `queue`; false when it was not consumed.
    @discardableResult
    func cancel(_ queue: String) -> Bool {
        let consumer = state.withLockedValue { state -> BrokerConsumer? in
            state.order.removeAll { $0 == queue }
            guard let consumer = state.running[queue] else { return nil }
            state.cancelling.insert(queue)
            return consumer
        }
        guard let consumer else { return false }
        Task { await consumer.cancel() }
        return true
    }

    /// Cancels every consumer; the stream ends when the last is gone.
    func stopAll() {
        let consumers = state.withLockedValue { state in
            state.stopped = true
            state.cancelling.formUnion(state.running.keys)
            return Array(state.running.values)
        }
        for consumer in consumers { Task { await consumer.cancel() } }
        if consumers.isEmpty { finish() }
    }

    /// Returns once `stopAll()` was called and every consumer has ended.
    func finished() async {
        await withCheckedContinuation { continuation in
            let now = state.withLockedValue { state in
                if state.finished { return true }
                state.finishWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func finish() {
        let waiters = state.withLockedValue { state in
            state.finished = true
            defer { state.finishWaiters = [] }
            return state.finishWaiters
        }
        waiters.forEach { $0.resume() }
    }

    private func ended(_ queue: String) {
        let (lost, finish) = state.withLockedValue { state in
            let lost = state.cancelling.remove(queue) == nil
            // The next connection may be to another broker of a failover list: declare anew.
            if lost { state.delayedLevelsDeclared = false }
            state.running[queue] = nil
            state.order.removeAll { $0 == queue }
            return (lost, state.stopped && state.running.isEmpty)
        }
        if lost { onLost(queue) }
        if finish { self.finish() }
    }
}
