import NIOConcurrencyHelpers
import NIOCore

/// The pool's slots and the admitted tasks waiting for one. At most `capacity` tasks run at
/// once, in arrival order, each in a Swift task of its own (so the in-process pools can run
/// a task's body right there, and cancel just that task to terminate it). A task that
/// finishes starts the next waiting one itself, without a hop through the consumer.
final class TaskSlots: Sendable {
    /// A task admitted to run: `accept` the moment it gets a slot (where an early ack goes:
    /// Celery acks when the pool accepts a task), then `run` in a Swift task of its own — or
    /// `giveBack` if the worker stops before it gets one (the message goes back to the
    /// queue, as Celery's warm shutdown does).
    struct Job: Sendable {
        var accept: @Sendable () -> Void = {}
        var run: @Sendable () async -> Void
        var giveBack: @Sendable () -> Void
    }

    private struct State {
        var capacity: Int
        var running = 0
        var waiting = CircularBuffer<Job>()
        var stopped = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []

        /// The waiting jobs that may start now, their slots taken.
        mutating func startable() -> [Job] {
            var jobs: [Job] = []
            while running < capacity, let job = waiting.popFirst() {
                running += 1
                jobs.append(job)
            }
            return jobs
        }
    }

    private let state: NIOLockedValueBox<State>

    init(_ count: Int) {
        state = NIOLockedValueBox(State(capacity: max(1, count)))
    }

    var capacity: Int { state.withLockedValue { $0.capacity } }

    /// Tasks running now.
    var running: Int { state.withLockedValue { $0.running } }

    /// Tasks admitted and waiting for a slot.
    var waiting: Int { state.withLockedValue { $0.waiting.count } }

    /// Runs `job` now if a slot is free, else when one frees up.
    func submit(_ job: Job) {
        let start = state.withLockedValue { state -> [Job]? in
            if state.stopped { return nil }
            state.waiting.append(job)
            return state.startable()
        }
        guard let start else { return job.giveBack() }
        start.forEach(launch)
    }

    /// Grows or shrinks the pool at run time (never below one slot); a shrink takes effect as
    /// running tasks finish, none is stopped.
    func resize(by delta: Int) {
        let start = state.withLockedValue { state in
            state.capacity = max(1, state.capacity + delta)
            return state.startable()
        }
        start.forEach(launch)
    }

    /// Starts no more tasks: those waiting are given back. Running ones finish.
    func stop() {
        let givenBack = state.withLockedValue { state -> [Job] in
            state.stopped = true
            defer { state.waiting.removeAll() }
            return Array(state.waiting)
        }
        givenBack.forEach { $0.giveBack() }
        resumeIdleWaiters()
    }

    /// Returns once no task runs and none waits.
    func idle() async {
        await withCheckedContinuation { continuation in
            let now = state.withLockedValue { state in
                if state.running == 0, state.waiting.isEmpty { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    private func launch(_ job: Job) {
        job.accept()
        Task { await self.run(job) }
    }

    private func run(_ job: Job) async {
        await job.run()
        let next = state.withLockedValue { state -> Job? in
            if state.running <= state.capacity, !state.stopped, let waiting = state.waiting.popFirst() { return waiting }
            state.running -= 1
            return nil
        }
        if let next { launch(next) } else { resumeIdleWaiters() }
    }

    private func resumeIdleWaiters() {
        let waiters = state.withLockedValue { state -> [CheckedContinuation<Void, Never>] in
            guard state.running == 0, state.waiting.isEmpty else { return [] }
            defer { state.idleWaiters = [] }
            return state.idleWaiters
        }
        waiters.forEach { $0.resume() }
    }
}
