import Celeriac
import NIOConcurrencyHelpers

/// Task events wait here and go out in batches, one `task.multi` message each, sent by one
/// flusher at a time. Only a late ack waits for the broker to confirm them; their order
/// is kept, and under load a batch carries everything that came in while the previous one
/// was on the wire — Celery's worker buffers its task events the same way.
final class EventBuffer: Sendable {
    /// Events per message at most, so one message stays small whatever the backlog.
    static let batchLimit = 512

    private struct State {
        var pending: [EncodedEvent] = []
        var flushing = false
        /// Events added, and events handed to the broker (or failed to be), since the start.
        var added = 0
        var sent = 0
        var sentWaiters: [(upTo: Int, continuation: CheckedContinuation<Void, Never>)] = []
    }

    private let publisher: EventPublisher
    private let state = NIOLockedValueBox(State())

    init(publisher: EventPublisher) {
        self.publisher = publisher
    }

    func add(_ event: EncodedEvent) {
        let startFlusher = state.withLockedValue { state in
            state.pending.append(event)
            state.added += 1
            defer { state.flushing = true }
            return !state.flushing
        }
        if startFlusher { Task { await flush() } }
    }

    /// Returns once every event added so far has been sent (or failed to be), however many
    /// are added after it: a late ack waits here, so an acked task's events are never lost
    /// with the process, and a worker event, so it follows the task events before it.
    func sent() async {
        await withCheckedContinuation { continuation in
            let done = state.withLockedValue { state in
                if state.sent >= state.added { return true }
                state.sentWaiters.append((state.added, continuation))
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func flush() async {
        while true {
            let batch = state.withLockedValue { state -> [EncodedEvent] in
                guard !state.pending.isEmpty else {
                    state.flushing = false
                    return []
                }
                let count = min(Self.batchLimit, state.pending.count)
                defer { state.pending.removeFirst(count) }
                return Array(state.pending.prefix(count))
            }
            guard !batch.isEmpty else { return }
            try? await publisher.publish(batch: batch)  // best effort: a lost event never fails a task
            let reached = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
                state.sent += batch.count
                let sent = state.sent
                let reached = state.sentWaiters.filter { $0.upTo <= sent }.map(\.continuation)
                state.sentWaiters.removeAll { $0.upTo <= sent }
                return reached
            }
            reached.forEach { $0.resume() }
        }
    }
}
