import Celeriac
import Foundation
import Logging
import NIOConcurrencyHelpers

/// Celery's autoscaler (celery/worker/autoscale.py): once a second it compares the tasks the
/// worker holds (reserved and running) with the pool's size, grows at once to meet them (up
/// to `max`), and shrinks back toward `min` only after `keepalive` seconds without growth,
/// so a bursty queue does not make the pool flap.
final class Autoscaler: Sendable {
    struct Range: Sendable, Equatable {
        var max: Int
        var min: Int
    }

    private struct State {
        var range: Range
        var lastScaleUp: ContinuousClock.Instant?
    }

    private let state: NIOLockedValueBox<State>
    private let slots: TaskSlots
    private let pool: any ExecutionPool
    private let workerState: WorkerState
    private let logger: Logger
    let keepalive: Double

    /// Celery reads the keepalive from AUTOSCALE_KEEPALIVE (seconds, default 30).
    static var defaultKeepalive: Double {
        ProcessInfo.processInfo.environment["AUTOSCALE_KEEPALIVE"].flatMap(Double.init) ?? 30
    }

    init(range: Range, slots: TaskSlots, pool: any ExecutionPool, workerState: WorkerState, logger: Logger,
         keepalive: Double = Autoscaler.defaultKeepalive) {
        self.logger = logger
        state = NIOLockedValueBox(State(range: range))
        self.slots = slots
        self.pool = pool
        self.workerState = workerState
        self.keepalive = keepalive
    }

    var range: Range { state.withLockedValue { $0.range } }

    /// Scales once a second until cancelled.
    func run() async {
        while !Task.isCancelled {
            await scaleOnce()
            try? await Task.sleep(for: .seconds(1))  // Celery's autoscaler period
        }
    }

    /// One look at the load: grow to it, or shrink toward it once the keepalive has passed.
    func scaleOnce(now: ContinuousClock.Instant = .now) async {
        let held = workerState.heldCount
        let processes = slots.capacity
        let range = range
        let wanted = Swift.min(held, range.max)
        if wanted > processes {
            state.withLockedValue { $0.lastScaleUp = now }
            await resize(by: wanted - processes)
            return
        }
        let floor = Swift.max(held, range.min)
        guard floor < processes else { return }
        let idleLongEnough = state.withLockedValue { state in
            state.lastScaleUp.map { (now - $0).seconds > keepalive } ?? true
        }
        if idleLongEnough { await resize(by: floor - processes) }
    }

    /// The `autoscale` command: a new range, the pool moved into it at once.
    func update(max: Int?, min: Int?) async -> Range {
        let processes = slots.capacity
        let range = state.withLockedValue { state in
            if let max { state.range.max = Swift.max(1, max) }
            if let min { state.range.min = Swift.max(0, Swift.min(min, state.range.max)) }
            return state.range
        }
        if processes > range.max { await resize(by: range.max - processes) }
        if processes < range.min { await resize(by: range.min - processes) }
        return range
    }

    /// `pool_grow` under autoscale: grow now, raising the maximum if need be (Celery's
    /// `force_scale_up`).
    func forceGrow(by count: Int) async {
        let processes = slots.capacity
        state.withLockedValue { state in
            state.range.max = Swift.max(state.range.max, processes + count)
            state.lastScaleUp = .now
        }
        await resize(by: count)
    }

    /// `pool_shrink` under autoscale: shrink now, lowering the minimum if need be.
    func forceShrink(by count: Int) async {
        let processes = slots.capacity
        state.withLockedValue { state in
            state.range.min = Swift.min(state.range.min, Swift.max(0, processes - count))
        }
        await resize(by: -count)
    }

    /// `stats`' autoscaler section, as Celery's `Autoscaler.info()`.
    func info() async -> JSONValue {
        let range = range
        return ["max": .int(range.max), "min": .int(range.min), "current": .int(slots.capacity),
                "qty": .int(workerState.heldCount)]
    }

    private func resize(by delta: Int) async {
        guard delta != 0 else { return }
        logger.info("Scaling \(delta > 0 ? "up" : "down") \(abs(delta)) processes.")
        slots.resize(by: delta)
        pool.resize(to: slots.capacity)
    }
}
