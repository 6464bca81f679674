/// Why a `db+sqlite://` result backend cannot be used; SQLite's own failures are `SQLiteError`.
public enum SQLiteResultBackendError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The URL does not start with `db+sqlite://`.
    case notSQLiteURL(String)
    /// `db+sqlite://` or `:memory:`: a private in-memory database.
    case inMemory(String)
    /// `db+sqlite://host/…`: SQLite is a file; there is no server to name.
    case hostGiven(url: String, host: String)
    /// `?timeout=…` and other SQLAlchemy query options are not read; refused rather than ignored.
    case queryGiven(url: String, query: String)
    /// The file was written by a newer Celeriac whose table layout this one does not know.
    case newerSchema(path: String, found: Int, supported: Int)
    /// A stored meta is not Celery's meta JSON (written by hand or by another program).
    case unreadableMeta(taskID: String, reason: String)

    public var description: String {
        switch self {
        case .notSQLiteURL(let url):
            return "'\(url)' is not a SQLite result backend URL; use db+sqlite:///relative/path.db or db+sqlite:////absolute/path.db"
        case .inMemory(let url):
            return "'\(url)' names an in-memory SQLite database, which only this process could read, so workers could not share results with callers; give a file: db+sqlite:///results.db"
        case .hostGiven(let url, let host):
            return "'\(url)' names a host '\(host)', but SQLite reads a local file; use three slashes for a relative path (db+sqlite:///results.db) or four for an absolute one (db+sqlite:////var/lib/celeriac/results.db)"
        case .queryGiven(let url, let query):
            return "'\(url)' has query options '?\(query)', which the SQLite result backend does not support; remove them"
        case .newerSchema(let path, let found, let supported):
            return "the SQLite result store \(path) has schema version \(found), newer than the \(supported) this Celeriac knows; upgrade Celeriac or use another file"
        case .unreadableMeta(let taskID, let reason):
            return "the stored result of task \(taskID) is not Celery result JSON: \(reason)"
        }
    }
}
