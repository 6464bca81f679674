import Foundation
import NIOCore
import Synchronization

/// The pool's slots and the admitted tasks waiting for one. At most `capacity` tasks run at
/// once, in arrival order, each slot in a Swift task of its own (so the in-process pools can
/// run a task's body right there, and cancel the slot's task to terminate it). A slot that
/// frees runs the next waiting task itself, without a hop through the consumer, and one
/// that finds none waits a moment for the next before it ends.
final class TaskSlots: Sendable {
    /// A task admitted to run: `accept` the moment it gets a slot (where an early ack goes:
    /// Celery acks when the pool accepts a task), then `run` in its slot's Swift task — or
    /// `giveBack` if the worker stops before it gets one (the message goes back to the
    /// queue, as Celery's warm shutdown does) — or `discard` if its connection is lost
    /// before it gets one (the broker hands the message out again by itself).
    struct Job: Sendable {
        var accept: @Sendable () -> Void = {}
        var run: @Sendable () async -> Void
        var giveBack: @Sendable () -> Void
        var discard: @Sendable () -> Void = {}
    }

    private struct State {
        var capacity: Int
        var running = 0
        var waiting = CircularBuffer<Job>()
        var stopped = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
        /// A lingering slot takes the next submitted job straight from `submit`.
        var lingererOpen = false
        /// The job handed to the lingering slot, accepted already.
        var handedOff: Job?

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

    private let state: AdaptiveLockedValueBox<State>
    /// Whether a slot is looking for work before its Swift task ends (see `linger`).
    private let lingering = Atomic<Bool>(false)
    /// Jobs appended since the start: a lingering slot watches this without the lock.
    private let submitted = Atomic<Int>(0)

    /// How long a slot that found nothing waits for the next job (see `linger`).
    private let lingerTime: Duration

    init(_ count: Int, lingerTime: Duration = TaskSlots.defaultLingerTime) {
        state = AdaptiveLockedValueBox(State(capacity: max(1, count)))
        self.lingerTime = lingerTime
    }

    var capacity: Int { state.withLockedValue { $0.capacity } }

    /// Tasks running now.
    var running: Int { state.withLockedValue { $0.running } }

    /// Tasks admitted and waiting for a slot.
    var waiting: Int { state.withLockedValue { $0.waiting.count } }

    /// Whether a slot lingers, ready to take the next job straight from `submit`.
    var isLingering: Bool { state.withLockedValue { $0.lingererOpen } }

    /// Runs `job` now if a slot is free, else when one frees up.
    func submit(_ job: Job) {
        let start = state.withLockedValue { state -> [Job]? in
            if state.stopped { return nil }
            if state.lingererOpen {
                // Accepted here, on the consumer's thread, so an early ack leaves with this
                // read's writes instead of waiting for a hop back from the slot's thread; in
                // the lock, so the slot never runs the job before it is accepted.
                state.lingererOpen = false
                job.accept()
                state.handedOff = job
                return []
            }
            state.waiting.append(job)
            return state.startable()
        }
        guard let start else { return job.giveBack() }
        submitted.add(1, ordering: .releasing)
        start.forEach { launch($0) }
    }

    /// Grows or shrinks the pool at run time (never below one slot); a shrink takes effect as
    /// running tasks finish, none is stopped.
    func resize(by delta: Int) {
        let start = state.withLockedValue { state in
            state.capacity = max(1, state.capacity + delta)
            return state.startable()
        }
        start.forEach { launch($0) }
    }

    /// Starts no more tasks: those waiting are given back. Running ones finish.
    func stop() {
        let givenBack = state.withLockedValue { state -> [Job] in
            state.stopped = true
            defer { state.waiting.removeAll() }
            return Array(state.waiting)
        }
        givenBack.forEach { $0.giveBack() }
        submitted.add(1, ordering: .releasing)  // a lingering slot stops looking at once
        resumeIdleWaiters()
    }

    /// Forgets the tasks waiting for a slot, as Celery's consumer clears its semaphore when
    /// the connection closes: their messages can no longer be acked, and the broker gives
    /// them to a worker again, so running them here too would only run them twice.
    /// Returns how many were dropped.
    @discardableResult
    func discardWaiting() -> Int {
        let dropped = state.withLockedValue { state -> [Job] in
            defer { state.waiting.removeAll() }
            return Array(state.waiting)
        }
        dropped.forEach { $0.discard() }
        resumeIdleWaiters()
        return dropped.count
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

    private func launch(_ job: Job, accepted: Bool = false) {
        if !accepted { job.accept() }
        Task { await self.run(job) }
    }

    /// Runs `job`, then each job waiting when it ends, in the same Swift task: a task per job
    /// costs its creation and a trip through the executor's queue each time. A task
    /// cancelled by a terminate hands the next job to a fresh one, since cancellation would
    /// carry over; and the slot yields now and then, so a stream of tasks that never suspend
    /// cannot hold a thread for ever.
    private func run(_ first: Job) async {
        var job = first
        var ranWithoutYielding = 0
        while true {
            await job.run()
            guard let (next, accepted) = nextJob(orRelease: false).map({ ($0, false) }) ?? linger()
                ?? nextJob(orRelease: true).map({ ($0, false) })
            else { return resumeIdleWaiters() }
            guard !Task.isCancelled else { return launch(next, accepted: accepted) }
            if !accepted { next.accept() }
            job = next
            ranWithoutYielding += 1
            if ranWithoutYielding == Self.jobsBetweenYields {
                ranWithoutYielding = 0
                await Task.yield()
            }
        }
    }

    private static let jobsBetweenYields = 64
    /// Long enough for the next message of a busy queue, which mostly comes within tens of
    /// microseconds; short enough that an idle worker soon stops looking.
    static let defaultLingerTime = Duration.microseconds(100)

    /// One slot at a time, having found nothing to run, keeps looking for a moment before its
    /// Swift task ends: the next message is usually that close, and handing it to a slot
    /// that is still running saves creating a task and waking a thread for it. The job
    /// comes accepted (`submit` hands it over); one that went to the waiting line
    /// meanwhile is the caller's next `nextJob`.
    private func linger() -> (Job, accepted: Bool)? {
        guard lingering.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else { return nil }
        defer { lingering.store(false, ordering: .releasing) }
        let seen = submitted.load(ordering: .acquiring)
        let open = state.withLockedValue { state in
            guard state.running <= state.capacity, !state.stopped, state.waiting.isEmpty else { return false }
            state.lingererOpen = true
            return true
        }
        guard open else { return nil }
        let deadline = ContinuousClock.now + lingerTime
        while ContinuousClock.now < deadline {
            // Whoever else wants this core gets it: on two cores the broker may be the one
            // the next message waits for.
            sched_yield()
            if submitted.load(ordering: .acquiring) != seen { break }
        }
        return state.withLockedValue { state in
            state.lingererOpen = false
            if let job = state.handedOff {
                state.handedOff = nil
                return (job, true)
            }
            return nil
        }
    }

    /// The waiting job this slot runs next; with `orRelease`, the slot is given up when there
    /// is none (in the same lock, so a job submitted meanwhile is never left waiting).
    private func nextJob(orRelease: Bool) -> Job? {
        state.withLockedValue { state in
            if state.running <= state.capacity, !state.stopped, let waiting = state.waiting.popFirst() { return waiting }
            if orRelease { state.running -= 1 }
            return nil
        }
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
