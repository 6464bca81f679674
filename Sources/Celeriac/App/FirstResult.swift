import NIOConcurrencyHelpers

/// The first of several results offered, for the one caller that awaits it; later offers are
/// dropped. Where two things race to end a wait (a task and its time limit, a request and its
/// caller's cancellation), whichever comes first decides.
public final class FirstResult<Value: Sendable, Failure: Error>: Sendable {
    private struct State {
        var result: Result<Value, Failure>?
        var waiter: CheckedContinuation<Result<Value, Failure>, Never>?
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public func offer(_ result: Result<Value, Failure>) {
        let waiter = state.withLockedValue { state -> CheckedContinuation<Result<Value, Failure>, Never>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: result)
    }

    /// The first result offered, once there is one. One caller only.
    public func value() async throws(Failure) -> Value {
        let result = await withCheckedContinuation { continuation in
            let ready = state.withLockedValue { state -> Result<Value, Failure>? in
                if state.result == nil { state.waiter = continuation }
                return state.result
            }
            if let ready { continuation.resume(returning: ready) }
        }
        return try result.get()
    }
}
