import Celeriac
@testable import CeleriacMonitor
import Foundation
import Testing

/// `celeriac top` cancels its polls when it quits. On Linux, cancelling a URLSession request
/// left its caller waiting forever (this test hung at its eighth round before the fix), or,
/// when the cancel met the request's completion, crashed the process, as the dashboard did on
/// exit in CI. Requests cancelled at every point of their life must end the caller's wait.
@Suite(.enabled(if: ManagementPeer.isAvailable), .timeLimit(.minutes(1)))
struct ManagementAPICancellationTests {
    @Test func aCancelledRequestNeverLeavesItsCallerWaiting() async throws {
        let api = try ManagementAPI(url: ManagementPeer.managementURL!)
        let answered = try await api.overview()  // the node answers at all
        #expect(answered["rabbitmq_version"] != nil || answered["product_version"] != nil, "\(answered)")
        var ended = 0
        for round in 0..<300 {
            let poll = Task { try await api.overview() }
            // Spread over a request's life, so some cancels land as the answer completes.
            try await Task.sleep(for: .microseconds(round % 30 * 100))  // the point of cancelling, not a wait for an event
            poll.cancel()
            // Before the fix this wait never ended. The bound is far above a request's life,
            // since a loaded machine wakes this task late.
            guard await Self.ends(poll, within: .seconds(20)) else {
                Issue.record("round \(round): the cancelled request still holds its caller after 20 s")
                return
            }
            ended += 1
        }
        #expect(ended == 300)
    }

    /// Whether `poll` ends within `limit`; a poll that never ends is left behind.
    static func ends(_ poll: Task<JSONValue, any Error>, within limit: Duration) async -> Bool {
        let first = FirstResult<Bool, Never>()
        Task {
            _ = try? await poll.value
            first.offer(.success(true))
        }
        Task {
            try? await Task.sleep(for: limit)  // the deadline itself
            first.offer(.success(false))
        }
        return await first.value()
    }
}
