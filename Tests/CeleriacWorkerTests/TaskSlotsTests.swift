@testable import CeleriacWorker
import Foundation
import NIOConcurrencyHelpers
import Testing

@Suite struct TaskSlotsTests {
    /// No more than `capacity` run at once, however many are submitted; every one runs.
    @Test func atMostCapacityRunAtOnce() async {
        let slots = TaskSlots(3)
        let gauge = Gauge()
        for _ in 0..<40 {
            slots.submit(.init(run: {
                await gauge.enter()
                await Task.yield()
                await gauge.leave()
            }, giveBack: { Issue.record("nothing is given back while running") }))
        }
        await slots.idle()
        #expect(await gauge.highest <= 3)
        #expect(await gauge.entries == 40)
        #expect(slots.running == 0 && slots.waiting == 0)
    }

    /// With one slot, tasks start in the order they were submitted.
    @Test func oneSlotRunsInArrivalOrder() async {
        let slots = TaskSlots(1)
        let order = NIOLockedValueBox<[Int]>([])
        for index in 0..<20 {
            slots.submit(.init(run: { order.withLockedValue { $0.append(index) } }, giveBack: {}))
        }
        await slots.idle()
        #expect(order.withLockedValue { $0 } == Array(0..<20))
    }

    /// A slot runs the jobs waiting for it in its own Swift task; a job whose task was
    /// cancelled (a terminate) must not pass that cancellation on to the next one.
    @Test func aTerminatedJobDoesNotCancelTheNextOne() async {
        let slots = TaskSlots(1)
        let gate = Gate()
        let cancelledSeen = NIOLockedValueBox<[Bool]>([])
        slots.submit(.init(run: {
            await gate.wait()
            withUnsafeCurrentTask { $0?.cancel() }  // what InProcessPool.terminate does
            cancelledSeen.withLockedValue { $0.append(Task.isCancelled) }
        }, giveBack: {}))
        for _ in 0..<3 {
            slots.submit(.init(run: { cancelledSeen.withLockedValue { $0.append(Task.isCancelled) } }, giveBack: {}))
        }
        await gate.open()
        await slots.idle()
        #expect(cancelledSeen.withLockedValue { $0 } == [true, false, false, false])
    }

    /// A lost connection drops the tasks waiting for a slot (their messages cannot be acked
    /// and come back from the broker) and leaves the running one alone; later tasks run.
    @Test func aLostConnectionDropsTheWaitingTasksOnly() async {
        let slots = TaskSlots(1)
        let gate = Gate()
        let ran = NIOLockedValueBox<[Int]>([])
        let discarded = NIOLockedValueBox<[Int]>([])
        for index in 0..<4 {
            slots.submit(.init(run: {
                if index == 0 { await gate.wait() }
                ran.withLockedValue { $0.append(index) }
            }, giveBack: { Issue.record("a lost connection gives nothing back") },
               discard: { discarded.withLockedValue { $0.append(index) } }))
        }
        #expect(slots.discardWaiting() == 3)
        #expect(slots.running == 1 && slots.waiting == 0)
        slots.submit(.init(run: { ran.withLockedValue { $0.append(4) } }, giveBack: {}))
        await gate.open()
        await slots.idle()
        #expect(ran.withLockedValue { $0 } == [0, 4])
        #expect(discarded.withLockedValue { $0 } == [1, 2, 3])
    }

    /// Growing starts waiting tasks at once; shrinking never stops a running one.
    @Test func resizeStartsWaitersAndShrinksAsTasksFinish() async {
        let slots = TaskSlots(1)
        let gate = Gate()
        for _ in 0..<3 { slots.submit(.init(run: { await gate.wait() }, giveBack: {})) }
        #expect(slots.running == 1 && slots.waiting == 2)
        slots.resize(by: 2)
        #expect(slots.running == 3 && slots.waiting == 0)
        slots.resize(by: -2)
        #expect(slots.capacity == 1 && slots.running == 3)  // none stopped
        await gate.open()
        await slots.idle()
        #expect(slots.running == 0)
    }

    /// Stopping gives back what waits for a slot (its message goes back to the queue) and
    /// lets what runs finish; later submissions are given back at once.
    @Test func stopGivesBackWaitingTasks() async {
        let slots = TaskSlots(1)
        let gate = Gate()
        let givenBack = NIOLockedValueBox(0)
        let ran = NIOLockedValueBox(0)
        for _ in 0..<4 {
            slots.submit(.init(run: {
                await gate.wait()
                ran.withLockedValue { $0 += 1 }
            }, giveBack: { givenBack.withLockedValue { $0 += 1 } }))
        }
        slots.stop()
        #expect(givenBack.withLockedValue { $0 } == 3)
        slots.submit(.init(run: { Issue.record("a stopped pool starts nothing") }, giveBack: { givenBack.withLockedValue { $0 += 1 } }))
        #expect(givenBack.withLockedValue { $0 } == 4)
        await gate.open()
        await slots.idle()
        #expect(ran.withLockedValue { $0 } == 1)
    }

    /// A job submitted while a slot lingers goes straight to that slot, accepted (its early
    /// ack made) on the submitting thread before it runs, and once only.
    @Test func aLingeringSlotTakesTheNextJobAcceptedBySubmit() async {
        let slots = TaskSlots(1, lingerTime: .seconds(30))
        let steps = NIOLockedValueBox<[String]>([])
        let acceptedOn = NIOLockedValueBox<[UInt]>([])
        func job(_ name: String, finished: CheckedContinuation<Void, Never>? = nil) -> TaskSlots.Job {
            .init(accept: {
                steps.withLockedValue { $0.append("accept \(name)") }
                acceptedOn.withLockedValue { $0.append(UInt(pthread_self())) }
            }, run: {
                steps.withLockedValue { $0.append("run \(name)") }
                finished?.resume()
            }, giveBack: { Issue.record("nothing is given back") })
        }
        await withCheckedContinuation { finished in slots.submit(job("first", finished: finished)) }
        while !slots.isLingering { await Task.yield() }  // the slot's next step, polled: it sends no event

        let submitter = UInt(pthread_self())
        slots.submit(job("second"))
        #expect(acceptedOn.withLockedValue { $0.last } == submitter, "accepted inside submit, on its thread")
        slots.stop()  // ends the slot's next linger at once
        await slots.idle()
        #expect(steps.withLockedValue { $0 } == ["accept first", "run first", "accept second", "run second"])
    }
}

actor Gauge {
    private var inside = 0
    private(set) var highest = 0
    private(set) var entries = 0

    func enter() {
        inside += 1
        entries += 1
        highest = max(highest, inside)
    }

    func leave() { inside -= 1 }
}

/// Holds every caller of `wait()` until `open()`.
actor Gate {
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    func wait() async {
        if isOpen { return }
        await withCheckedContinuation { waiters.append($0) }
    }

    func open() {
        isOpen = true
        waiters.forEach { $0.resume() }
        waiters = []
    }
}
