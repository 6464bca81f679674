import Foundation

/// A handle on one task's result, as Celery's `AsyncResult`: ask its state, wait for it,
/// get its value (throwing the task's error), forget it.
public struct AsyncResult: Sendable, CustomStringConvertible {
    public let id: String
    let backend: (any ResultBackend)?
    /// The app that sent it, for `revoke`.
    let app: App?

    public init(id: String, backend: (any ResultBackend)?, app: App? = nil) {
        self.id = id
        self.backend = backend
        self.app = app
    }

    private func requireBackend() throws -> any ResultBackend {
        guard let backend else { throw ResultError.noBackendConfigured }
        return backend
    }

    /// The latest meta, or nil while the backend knows nothing (PENDING).
    public func meta() async throws -> ResultMeta? {
        try await requireBackend().meta(for: id)
    }

    public func state() async throws -> TaskState {
        try await meta()?.status ?? .pending
    }

    public func isReady() async throws -> Bool { try await state().isReady }
    public func isSuccessful() async throws -> Bool { try await state() == .success }
    public func isFailed() async throws -> Bool { try await state() == .failure }
    public func traceback() async throws -> String? { try await meta()?.traceback }
    public func children() async throws -> [JSONValue] { try await meta()?.children ?? [] }
    public func dateDone() async throws -> Date? { try await meta()?.dateDone }

    /// The custom state's meta or the result, as Celery's `info`.
    public func info() async throws -> JSONValue { try await meta()?.result ?? .null }

    /// Waits until the task is ready and returns its meta, whatever the outcome.
    public func wait(timeout: Double? = nil) async throws -> ResultMeta {
        try await requireBackend().waitUntilReady(id, timeout: timeout)
    }

    /// Waits and returns the task's return value. With `propagate`, a failed task throws its
    /// `CeleryError` and a revoked one `ResultError.revoked`.
    public func get(timeout: Double? = nil, propagate: Bool = true) async throws -> JSONValue {
        let meta = try await wait(timeout: timeout)
        if propagate {
            if meta.status == .failure { throw meta.error ?? CeleryError(type: "Exception", message: [meta.result]) }
            if meta.status == .revoked { throw ResultError.revoked(taskID: id) }
        }
        return meta.result
    }

    /// `get` decoded into a Swift type.
    public func get<Value: Decodable>(_ type: Value.Type, timeout: Double? = nil) async throws -> Value {
        try await get(timeout: timeout).decode(as: Value.self)
    }

    /// Asks every worker to revoke the task (Celery's `AsyncResult.revoke`).
    @discardableResult
    public func revoke(terminate: Bool = false, signal: String = "SIGTERM", timeout: Double = 1.0) async throws
        -> [PidboxReply]
    {
        guard let app else { throw ResultError.storeFailed("this result has no app to send the revoke through") }
        return try await app.revoke(id, terminate: terminate, signal: signal, timeout: timeout)
    }

    public func forget() async throws {
        try await requireBackend().forget(id)
    }

    public var description: String { "<AsyncResult: \(id)>" }
}
