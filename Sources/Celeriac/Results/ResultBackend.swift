/// Where results live: `rpc://` (messages to the caller), `db+sqlite:///path`, `redis://`.
/// Store-specific code stays in each backend's own files; the rest of Celeriac sees only this.
public protocol ResultBackend: Sendable {
    /// The URL it was made from, for messages ("rpc://", "db+sqlite:///var/results.db").
    var url: String { get }

    /// Whether anyone but the sender can read a result (false for rpc://).
    var isPersistent: Bool { get }

    /// The latest meta of a task; nil when the backend has none (the task is PENDING).
    func meta(for taskID: String) async throws -> ResultMeta?

    /// Waits until the task is ready (SUCCESS, FAILURE, REVOKED) and returns its meta.
    /// Throws `ResultError.timeout` after `timeout` seconds (nil waits for ever).
    func waitUntilReady(_ taskID: String, timeout: Double?) async throws -> ResultMeta

    /// Records a state: what a worker calls for STARTED, RETRY, custom states and the end.
    func store(_ meta: ResultMeta) async throws

    /// Drops what is known about a task.
    func forget(_ taskID: String) async throws

    /// Releases connections and files.
    func close() async
}

extension CeleriacConfiguration {
    /// Whether `result_backend` names a store anyone may read (db+sqlite://, redis://), as
    /// rpc:// is not.
    public var hasStoredResults: Bool {
        resultBackend.map { ResultBackends.isSQLite($0) || ResultBackends.isRedis($0) } ?? false
    }
}

/// Why a result could not be had.
public enum ResultError: Error, Sendable, Hashable, CustomStringConvertible {
    case timeout(taskID: String, seconds: Double)
    /// `rpc://` results go only to the process that sent the task.
    case notReadableHere(taskID: String, backend: String)
    case unsupportedBackend(String)
    case noBackendConfigured
    /// The task ended REVOKED.
    case revoked(taskID: String)
    case storeFailed(String)

    public var description: String {
        switch self {
        case .timeout(let id, let seconds):
            return "task \(id) was not ready within \(seconds) s"
        case .notReadableHere(let id, let backend):
            return "the result of \(id) cannot be read here: \(backend) sends results only to the process that sent the task; use a stored backend such as db+sqlite:///results.db"
        case .unsupportedBackend(let url):
            return "unsupported result backend '\(url)'; use rpc://, db+sqlite:///PATH or redis://HOST"
        case .noBackendConfigured:
            return "no result backend is configured; set result_backend (e.g. rpc:// or db+sqlite:///results.db)"
        case .revoked(let id):
            return "task \(id) was revoked"
        case .storeFailed(let reason):
            return "the result backend failed: \(reason)"
        }
    }
}
