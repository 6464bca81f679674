import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Celeriac

extension ManagementAPI {
    /// The answer to `request` from a session of its own, fetched in a task that cancellation
    /// does not reach: a cancelled caller gets `CancellationError` at once, and the request
    /// runs to its end by itself, within `timeout`, before its session is let go.
    ///
    /// Why: on Linux (swift-corelibs-foundation, still in Swift 6.3.1) cancelling a data task
    /// can leave `data(for:)` waiting forever, and a cancel that meets the task's completion
    /// crashes the process ("Trying to access a behaviour for a task that in not in the
    /// registry"). `celeriac top` cancels its polls when it quits; CI saw the crash there.
    /// The session lives in the same task, so it is never invalidated under its request.
    /// `celeriac broker ctl` fetches through it too: one way to ask a management API.
    package static func fetchLettingACancelledRequestFinish(_ request: URLRequest, timeout: Double,
                                                    challenges: AuthChallengeDecliner) async throws -> (Data, URLResponse) {
        let answer = FirstResult<(Data, URLResponse), any Error>()
        Task {
            // A session per request: its delegate's verdict then belongs to this request alone.
            let configuration = URLSessionConfiguration.ephemeral
            configuration.timeoutIntervalForRequest = timeout
            configuration.timeoutIntervalForResource = timeout * 2
            configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
            configuration.httpShouldSetCookies = false
            let session = URLSession(configuration: configuration, delegate: challenges, delegateQueue: nil)
            defer { session.finishTasksAndInvalidate() }
            do {
                answer.offer(.success(try await session.data(for: request)))
            } catch {
                answer.offer(.failure(error))
            }
        }
        return try await withTaskCancellationHandler {
            try await answer.value()
        } onCancel: {
            answer.offer(.failure(CancellationError()))
        }
    }
}
