@testable import CeleriacWorker
import Foundation
import Testing

@Suite struct AdaptiveLockedValueBoxTests {
    /// Threads that update one value at the same time lose none of each other's updates: the
    /// read and the write of each increment happen under the lock, in turn.
    @Test func concurrentUpdatesAreNotLost() {
        let box = AdaptiveLockedValueBox((count: 0, inside: 0, overlaps: 0))
        let threads = 4
        let increments = 50_000
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            for _ in 0..<increments {
                box.withLockedValue { value in
                    value.inside += 1
                    if value.inside != 1 { value.overlaps += 1 }
                    value.count += 1
                    value.inside -= 1
                }
            }
        }
        let final = box.withLockedValue { $0 }
        #expect(final.count == threads * increments)
        #expect(final.overlaps == 0)
    }

    /// What the body returns or throws comes out of `withLockedValue`, and the lock is free
    /// again afterwards.
    @Test func returnsAndRethrowsThenUnlocks() throws {
        struct Refused: Error {}
        let box = AdaptiveLockedValueBox([1, 2, 3])
        #expect(box.withLockedValue { $0.reduce(0, +) } == 6)
        #expect(throws: Refused.self) { try box.withLockedValue { _ in throw Refused() } }
        box.withLockedValue { $0.append(4) }
        #expect(box.withLockedValue { $0 } == [1, 2, 3, 4])
    }
}
