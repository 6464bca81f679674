@testable import CeleriacMonitor
import Foundation
import Testing

/// `celeriac top` cancels its polls when it quits. On Linux, cancelling a URLSession request
/// left its caller waiting forever (this test hung at its eighth round before the fix), or,
/// when the cancel met the request's completion, crashed the process, as the dashboard did on
/// exit in CI. Requests cancelled at every point of their life must end the caller's wait
/// at once.
@Suite(.enabled(if: ManagementPeer.isAvailable), .timeLimit(.minutes(1)))
struct ManagementAPICancellationTests {
    @Test func requestsCancelledAtAnyMomentEndAtOnceAndNeverCrash() async throws {
        let api = try ManagementAPI(url: ManagementPeer.managementURL!)
        let answered = try await api.overview()  // the node answers at all
        #expect(answered["rabbitmq_version"] != nil || answered["product_version"] != nil, "\(answered)")
        for round in 0..<300 {
            let poll = Task { try await api.overview() }
            // Spread over a request's life, so some cancels land as the answer completes.
            try await Task.sleep(for: .microseconds(round % 30 * 100))  // the point of cancelling, not a wait for an event
            poll.cancel()
            let started = ContinuousClock.now
            _ = try? await poll.value
            #expect(ContinuousClock.now - started < .seconds(1), "a cancelled request ends the wait at once (round \(round))")
        }
    }
}
