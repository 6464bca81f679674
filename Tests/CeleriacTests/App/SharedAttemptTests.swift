@testable import Celeriac
import NIOConcurrencyHelpers
import Testing

@Suite struct SharedAttemptTests {
    /// Callers that arrive together wait for one attempt instead of each making their own
    /// (before, 256 concurrent first sends opened 256 connections).
    @Test func concurrentCallersShareOneAttempt() async throws {
        let attempt = SharedAttempt<Int>()
        let made = NIOLockedValueBox(0)
        let values = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await attempt.value {
                        await Task.yield()
                        return made.withLockedValue { $0 += 1; return $0 }
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(made.withLockedValue { $0 } == 1)
        #expect(Set(values) == [1])
    }

    /// A failed attempt is not kept: the next call makes a new one.
    @Test func failureIsRetriedByTheNextCall() async throws {
        struct Refused: Error {}
        let attempt = SharedAttempt<String>()
        await #expect(throws: Refused.self) { try await attempt.value { throw Refused() } }
        #expect(try await attempt.value { "second" } == "second")
        #expect(await attempt.take() == "second")
        #expect(try await attempt.value { "third" } == "third")
    }
}
