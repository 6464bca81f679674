import CSQLite

/// A failure reported by the SQLite C library, with its (extended) result code and message.
public enum SQLiteError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `sqlite3_open_v2` failed: a missing directory, no permission, not a database file.
    case cannotOpen(path: String, code: Int32, message: String)
    /// A statement failed to prepare, bind or run.
    case statementFailed(sql: String, code: Int32, message: String)
    /// The connection was closed by `close()`; make a new backend to use the file again.
    case closed(path: String)

    /// The extended result code (e.g. 5 = SQLITE_BUSY, 517 = SQLITE_BUSY_SNAPSHOT).
    public var code: Int32? {
        switch self {
        case .cannotOpen(_, let code, _), .statementFailed(_, let code, _): return code
        case .closed: return nil
        }
    }

    /// A UNIQUE, CHECK or NOT NULL constraint refused the row.
    public var isConstraint: Bool { code.map { $0 & 0xFF == SQLITE_CONSTRAINT } ?? false }

    /// Another connection held the lock for longer than the busy timeout.
    public var isBusy: Bool { code.map { $0 & 0xFF == SQLITE_BUSY || $0 & 0xFF == SQLITE_LOCKED } ?? false }

    public var description: String {
        switch self {
        case .cannotOpen(let path, let code, let message):
            // CANTOPEN is nearly always a missing parent directory or a permission problem.
            let hint = code & 0xFF == SQLITE_CANTOPEN ? "; does its directory exist and is it writable?" : ""
            return "cannot open the SQLite database \(path): \(message) (code \(code))\(hint)"
        case .statementFailed(let sql, let code, let message):
            return "SQLite failed to run '\(sql)': \(message) (code \(code))"
        case .closed(let path):
            return "the SQLite database \(path) was closed"
        }
    }
}

extension SQLiteError {
    /// The connection's message for a failed call; SQL is shown on one line.
    static func failure(sql: String, code: Int32, database: OpaquePointer?) -> SQLiteError {
        let message = database.flatMap { sqlite3_errmsg($0) }.map { String(cString: $0) }
            ?? String(cString: sqlite3_errstr(code))
        let oneLine = sql.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        // Prefer the extended code (SQLITE_BUSY_SNAPSHOT, …) when it refines this failure.
        var extended = code
        if let database, sqlite3_extended_errcode(database) & 0xFF == code & 0xFF {
            extended = sqlite3_extended_errcode(database)
        }
        return .statementFailed(sql: oneLine, code: extended, message: message)
    }
}
