import Foundation

/// Runs blocking work (a waitpid, a socket read) on a thread of its own: Swift concurrency
/// has only as many threads as cores, and a test blocking one stalls every other test in
/// the process.
public func detached<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread {
            do {
                continuation.resume(returning: try body())
            } catch {
                continuation.resume(throwing: error)
            }
        }.start()
    }
}
