@testable import CeleriacWorker
import Foundation
import Testing

@Suite struct ThreadPoolExecutorTests {
    /// Three tasks that block their thread until all three have arrived: only a pool of three
    /// threads of its own lets them all arrive (Swift's cooperative pool on two cores cannot).
    @Test func blockingTasksRunOnThreadsOfTheirOwn() async {
        let pool = ThreadPoolExecutor(threads: 3, name: "test-pool")
        let barrier = Barrier(parties: 3)
        let arrived = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<3 {
                group.addTask(executorPreference: pool) {
                    barrier.arriveAndWait(timeout: 10)
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(arrived == [true, true, true])
        #expect(pool.threadCount == 3)
    }

    @Test func growingAddsThreads() {
        let pool = ThreadPoolExecutor(threads: 1, name: "test-grow")
        pool.addThreads(2)
        #expect(pool.threadCount == 3)
    }
}

/// Blocks each caller until `parties` callers have arrived, or `timeout` passes (false).
final class Barrier: @unchecked Sendable {
    // @unchecked: `arrived` is only touched with `condition` locked.
    private let condition = NSCondition()
    private let parties: Int
    private var arrived = 0

    init(parties: Int) { self.parties = parties }

    func arriveAndWait(timeout: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        arrived += 1
        condition.broadcast()
        let deadline = Date().addingTimeInterval(timeout)
        while arrived < parties {
            if !condition.wait(until: deadline) { return false }
        }
        return true
    }
}
