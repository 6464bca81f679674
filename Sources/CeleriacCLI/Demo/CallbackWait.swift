import NIOConcurrencyHelpers

/// Waits for a callback or a timeout, whichever comes first; returns true for the callback.
/// `register` hands the callback to whatever will call it, and returns true instead when
/// the thing awaited has already happened. Here the timeout is the point of the wait (a run's
/// length, a grace period), not a stand-in for an event.
func waitForCallback(timeout: Duration, register: (@escaping @Sendable () -> Void) -> Bool) async -> Bool {
    await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
        let answered = NIOLockedValueBox(false)
        let answer: @Sendable (Bool) -> Void = { called in
            let first = answered.withLockedValue { done in
                defer { done = true }
                return !done
            }
            if first { continuation.resume(returning: called) }
        }
        if register({ answer(true) }) { return answer(true) }
        Task {
            try? await Task.sleep(for: timeout)
            answer(false)
        }
    }
}
