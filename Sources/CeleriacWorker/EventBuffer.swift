import Celeriac

/// Task events wait here and go out in batches, one `task.multi` message each, sent by one
/// flusher at a time. The flusher gathers for a few milliseconds before it sends, so that a
/// busy worker sends one message for many tasks rather than one for every event: each
/// message costs the broker as much as a task does. Whoever must know the events are out (a
/// late ack, a worker event) has them sent at once. Order is kept. Celery's worker buffers
/// its task events the same way, flushing once per turn of its event loop.
final class EventBuffer: Sendable {
    /// Events per message at most, so one message stays small whatever the backlog.
    static let batchLimit = 512
    /// How long the flusher gathers before sending: unnoticeable to a monitor.
    static let gatherTime = Duration.milliseconds(5)

    private struct State {
        var pending: [EncodedEvent] = []
        var flushing = false
        /// The flusher, while it gathers.
        var gathering: CheckedContinuation<Void, Never>?
        /// Events added, and events handed to the broker (or failed to be), since the start.
        var added = 0
        var sent = 0
        var sentWaiters: [(upTo: Int, continuation: CheckedContinuation<Void, Never>)] = []

        /// Send without gathering: someone waits, or a batch is full.
        var isUrgent: Bool { !sentWaiters.isEmpty || pending.count >= EventBuffer.batchLimit }

        /// The gathering flusher, to be woken once (by whoever takes it).
        mutating func takeGathering() -> CheckedContinuation<Void, Never>? {
            defer { gathering = nil }
            return gathering
        }
    }

    private let publisher: EventPublisher
    private let state = AdaptiveLockedValueBox(State())

    init(publisher: EventPublisher) {
        self.publisher = publisher
    }

    func add(_ event: EncodedEvent) {
        let (startFlusher, wake) = state.withLockedValue { state in
            state.pending.append(event)
            state.added += 1
            let start = !state.flushing
            state.flushing = true
            return (start, state.isUrgent ? state.takeGathering() : nil)
        }
        wake?.resume()
        if startFlusher { Task { await flush() } }
    }

    /// Returns once every event added so far has been sent (or failed to be), however many
    /// are added after it: a late ack waits here, so an acked task's events are never lost
    /// with the process, and a worker event, so it follows the task events before it.
    func sent() async {
        await withCheckedContinuation { continuation in
            let (done, wake) = state.withLockedValue { state -> (Bool, CheckedContinuation<Void, Never>?) in
                if state.sent >= state.added { return (true, nil) }
                state.sentWaiters.append((state.added, continuation))
                return (false, state.takeGathering())
            }
            wake?.resume()
            if done { continuation.resume() }
        }
    }

    private func flush() async {
        while true {
            await gather()
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

    /// Waits `gatherTime`, or less when sending becomes urgent.
    private func gather() async {
        await withCheckedContinuation { continuation in
            let urgent = state.withLockedValue { state in
                if state.isUrgent || state.pending.isEmpty { return true }
                state.gathering = continuation
                return false
            }
            if urgent {
                continuation.resume()
                return
            }
            Task {
                try? await Task.sleep(for: Self.gatherTime)
                state.withLockedValue { $0.takeGathering() }?.resume()
            }
        }
    }
}
