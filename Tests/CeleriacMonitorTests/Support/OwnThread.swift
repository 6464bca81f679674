import Foundation

/// Runs CPU-heavy test work on a thread of its own. Swift Testing runs synchronous tests on
/// the cooperative pool, which has one thread per core: a 20-second loop there starves every
/// network test of the run into its time limit.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread { continuation.resume(returning: body()) }.start()
    }
}
