import NIOConcurrencyHelpers

/// Something made once, on first use, by an async step (a connection, a backend, a queue
/// declaration). Callers that arrive while it is being made wait for the same attempt
/// instead of each making their own; an attempt that failed is made afresh by the next call.
final class SharedAttempt<Value: Sendable>: Sendable {
    private let current = NIOLockedValueBox<Task<Value, any Error>?>(nil)

    init() {}

    func value(_ make: @escaping @Sendable () async throws -> Value) async throws -> Value {
        let attempt = current.withLockedValue { current in
            if let current { return current }
            let made = Task { try await make() }
            current = made
            return made
        }
        do {
            return try await attempt.value
        } catch {
            current.withLockedValue { if $0 == attempt { $0 = nil } }
            throw error
        }
    }

    /// The value if it was made, forgetting it, so the next call makes a new one.
    func take() async -> Value? {
        let attempt = current.withLockedValue { current in
            defer { current = nil }
            return current
        }
        return try? await attempt?.value
    }
}
