import Celeriac
@testable import CeleriacWorker
import Foundation
import Logging
import Testing

/// Celery's autoscaler rules, on a real pool of slots and a real worker state.
@Suite struct AutoscalerTests {
    func scaler(_ range: Autoscaler.Range, start: Int, keepalive: Double = 30) -> (Autoscaler, TaskSlots, WorkerState) {
        let slots = TaskSlots(start)
        let state = WorkerState(hostname: "test@localhost", eventsEnabled: false)
        let pool = InProcessPool(kind: .async, concurrency: start, hostname: "test@localhost",
                                 defaults: .init(), logger: Logger(label: "test"))
        return (Autoscaler(range: range, slots: slots, pool: pool, workerState: state, logger: Logger(label: "test"),
                           keepalive: keepalive), slots, state)
    }

    func hold(_ count: Int, in state: WorkerState) {
        for index in 0..<count {
            state.reserve(TaskMessage(headers: ["id": .string("t-\(index)"), "task": "demo.noop"]),
                          delivery: DeliveryInfo(), scheduled: false)
        }
    }

    @Test func growsAtOnceToTheLoadButNotPastMax() async {
        let (autoscaler, slots, state) = scaler(.init(max: 5, min: 1), start: 1)
        hold(3, in: state)
        await autoscaler.scaleOnce()
        #expect(await slots.capacity == 3)
        hold(9, in: state)
        await autoscaler.scaleOnce()
        #expect(await slots.capacity == 5)
        #expect(await autoscaler.info() == ["max": 5, "min": 1, "current": 5, "qty": 9])
    }

    /// Shrinking waits for the keepalive after the last growth, then goes to max(load, min).
    @Test func shrinksOnlyAfterTheKeepalive() async {
        let (autoscaler, slots, state) = scaler(.init(max: 4, min: 2), start: 2, keepalive: 30)
        hold(4, in: state)
        let start = ContinuousClock.now
        await autoscaler.scaleOnce(now: start)
        #expect(await slots.capacity == 4)
        (0..<4).forEach { state.finish("t-\($0)", name: "demo.noop", ran: true) }
        await autoscaler.scaleOnce(now: start + .seconds(10))
        #expect(await slots.capacity == 4, "still within the keepalive")
        await autoscaler.scaleOnce(now: start + .seconds(31))
        #expect(await slots.capacity == 2, "down to min, not below")
    }

    @Test func theCommandsMoveTheRangeAndThePool() async {
        let (autoscaler, slots, _) = scaler(.init(max: 4, min: 1), start: 3)
        #expect(await autoscaler.update(max: 2, min: nil) == .init(max: 2, min: 1))
        #expect(await slots.capacity == 2, "a lower max shrinks at once")
        #expect(await autoscaler.update(max: 6, min: 5) == .init(max: 6, min: 5))
        #expect(await slots.capacity == 5, "a higher min grows at once")
        await autoscaler.forceGrow(by: 3)
        #expect(await slots.capacity == 8 && autoscaler.range.max == 8, "pool_grow raises max")
        await autoscaler.forceShrink(by: 6)
        #expect(await slots.capacity == 2 && autoscaler.range.min == 2, "pool_shrink lowers min")
    }
}
