import Celeriac
import Logging
import NIOConcurrencyHelpers

/// The worker's consumers, one per queue, all feeding one stream of deliveries; queues are
/// added and cancelled at run time (`add_consumer`, `cancel_consumer`). Stopping cancels
/// every consumer and ends the stream once they are all gone.
final class QueueConsumers: Sendable {
    let deliveries: AsyncStream<(ReceivedMessage, String)>
    private let continuation: AsyncStream<(ReceivedMessage, String)>.Continuation
    private let transport: any BrokerTransport
    private let prefetch: Int
    private let maxPriority: Int?
    private let logger: Logger
    /// Called when a consumer ends on its own (the broker went away).
    private let onLost: @Sendable (String) -> Void
    private let state = NIOLockedValueBox(State())

    private struct State {
        var order: [String] = []
        var running: [String: Task<Void, Never>] = [:]
        var stopped = false
    }

    init(transport: any BrokerTransport, prefetch: Int, maxPriority: Int?, logger: Logger,
         onLost: @escaping @Sendable (String) -> Void) {
        (deliveries, continuation) = AsyncStream.makeStream()
        self.transport = transport
        self.prefetch = prefetch
        self.maxPriority = maxPriority
        self.logger = logger
        self.onLost = onLost
    }

    /// The queues consumed now, in the order they were added.
    var queues: [String] { state.withLockedValue { $0.order } }

    /// Starts consuming `queue` (declared first, as Celery's worker does); consuming one
    /// already consumed does nothing.
    func add(_ queue: String) async throws {
        guard !queues.contains(queue) else { return }
        try await transport.ensureTaskQueue(queue, maxPriority: maxPriority)
        let stream = try await transport.consume(queue: queue, prefetch: prefetch, noAck: false)
        let continuation = continuation
        let task = Task {
            do {
                for try await delivery in stream { continuation.yield((delivery, queue)) }
            } catch {
                logger.error("stopped consuming \(queue): \(error)")
            }
            if !Task.isCancelled { onLost(queue) }
            finishIfAllGone(queue)
        }
        let stopped = state.withLockedValue { state in
            state.order.append(queue)
            state.running[queue] = task
            return state.stopped
        }
        if stopped { task.cancel() }
    }

    /// Stops consuming `queue`; false when it was not consumed.
    @discardableResult
    func cancel(_ queue: String) -> Bool {
        let task = state.withLockedValue { state -> Task<Void, Never>? in
            state.order.removeAll { $0 == queue }
            return state.running[queue]
        }
        task?.cancel()
        return task != nil
    }

    /// Cancels every consumer; the stream ends when the last is gone.
    func stopAll() {
        let tasks = state.withLockedValue { state in
            state.stopped = true
            return Array(state.running.values)
        }
        tasks.forEach { $0.cancel() }
        if tasks.isEmpty { continuation.finish() }
    }

    private func finishIfAllGone(_ queue: String) {
        let finish = state.withLockedValue { state in
            state.running[queue] = nil
            state.order.removeAll { $0 == queue }
            return state.stopped && state.running.isEmpty
        }
        if finish { continuation.finish() }
    }
}
