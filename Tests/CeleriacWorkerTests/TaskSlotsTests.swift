@testable import CeleriacWorker
import Testing

@Suite struct TaskSlotsTests {
    /// No more than `count` holders at once, however many ask; every one gets its turn.
    @Test func atMostCountRunAtOnce() async {
        let slots = TaskSlots(3)
        let gauge = Gauge()
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<40 {
                group.addTask {
                    await slots.acquire()
                    await gauge.enter()
                    await Task.yield()
                    await gauge.leave()
                    await slots.release()
                }
            }
        }
        #expect(await gauge.highest <= 3)
        #expect(await gauge.entries == 40)
        #expect(await slots.busy == 0)
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
