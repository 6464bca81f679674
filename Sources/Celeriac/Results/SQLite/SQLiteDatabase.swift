import CSQLite
import Foundation

/// One SQLite connection through the C API: open, pragmas, cached prepared statements,
/// transactions. Not Sendable on purpose: its owner (`SQLiteResultBackend`, an actor) is
/// what serializes access; FULLMUTEX is only a second line of defence.
///
/// Every call blocks its thread (the busy handler sleeps while another connection or process
/// holds the write lock), so callers keep transactions short and never suspend inside one.
package final class SQLiteDatabase {
    /// How long a write waits for another connection's lock before SQLITE_BUSY surfaces.
    static let busyTimeoutMilliseconds: Int32 = 5000

    package let path: String
    private var handle: OpaquePointer?
    private var statements: [String: SQLiteStatement] = [:]

    /// Opens (creating) the file in WAL mode with synchronous=NORMAL and a busy timeout.
    package init(path: String) throws(SQLiteError) {
        self.path = path
        var opened: OpaquePointer?
        let flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX
        let code = sqlite3_open_v2(path, &opened, flags, nil)
        guard code == SQLITE_OK, let connection = opened else {
            let message = opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
            sqlite3_close_v2(opened)  // a failed open may still allocate a handle
            throw SQLiteError.cannotOpen(path: path, code: code, message: message)
        }
        handle = connection
        sqlite3_extended_result_codes(connection, 1)
        sqlite3_busy_timeout(connection, Self.busyTimeoutMilliseconds)
        try enableWAL()
        // WAL + NORMAL: a commit is durable against a process crash; only a power loss can
        // drop the last commits, never corrupt the file (sqlite.org/pragma.html#pragma_synchronous).
        try execute("PRAGMA synchronous = NORMAL")
    }

    deinit { close() }

    /// Finalizes the cached statements and closes; later calls throw `.closed`.
    package func close() {
        for statement in statements.values { statement.finalize() }
        statements = [:]
        // close_v2 defers the close until any statement still alive is finalized.
        sqlite3_close_v2(handle)
        handle = nil
    }

    package var isOpen: Bool { handle != nil }

    /// Runs SQL without results (several statements may be separated by ';').
    package func execute(_ sql: String) throws(SQLiteError) {
        let connection = try self.connection()
        var error: UnsafeMutablePointer<CChar>?
        let code = sqlite3_exec(connection, sql, nil, nil, &error)
        sqlite3_free(error)  // the connection keeps the same message for errmsg
        guard code == SQLITE_OK else { throw SQLiteError.failure(sql: sql, code: code, database: connection) }
    }

    /// The prepared statement for `sql`, made once per connection and reset before each use.
    package func statement(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        if let cached = statements[sql] {
            cached.reset()
            return cached
        }
        let statement = try SQLiteStatement(database: try connection(), sql: sql)
        statements[sql] = statement
        return statement
    }

    /// The first column of the first row (for pragmas and counts); nil without a row.
    package func scalarText(_ sql: String) throws(SQLiteError) -> String? {
        let statement = try self.statement(sql)
        defer { statement.reset() }
        return try statement.step() ? statement.text(at: 0) : nil
    }

    /// Rows changed by the last INSERT, UPDATE or DELETE.
    package var changes: Int { handle.map { Int(sqlite3_changes($0)) } ?? 0 }

    /// Runs `body` in `BEGIN IMMEDIATE … COMMIT`, rolling back if it throws. IMMEDIATE takes
    /// the write lock up front so the busy handler waits for it; a deferred transaction that
    /// reads first and then writes gets SQLITE_BUSY_SNAPSHOT in WAL mode without waiting.
    package func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN IMMEDIATE")
        do {
            let value = try body()
            try execute("COMMIT")
            return value
        } catch {
            // After some errors (e.g. SQLITE_FULL) SQLite has already rolled back; ignore that.
            if let connection = handle, sqlite3_get_autocommit(connection) == 0 { try? execute("ROLLBACK") }
            throw error
        }
    }

    /// journal_mode=WAL needs an exclusive lock for a moment, and when several connections
    /// open a fresh file at once SQLite answers SQLITE_BUSY at once instead of calling the
    /// busy handler (checked with 8 processes on SQLite 3.40). So: retry for up to the busy
    /// timeout. WAL is persistent in the file; later opens find it already set.
    private func enableWAL() throws(SQLiteError) {
        var delay = 0.001
        var waited = 0.0
        while true {
            do throws(SQLiteError) {
                if try scalarText("PRAGMA journal_mode")?.lowercased() == "wal" { return }
                // A file system without shared memory keeps the old mode; that still works,
                // only with readers and the writer blocking each other.
                _ = try scalarText("PRAGMA journal_mode = WAL")
                return
            } catch {
                guard error.isBusy, waited < Double(Self.busyTimeoutMilliseconds) / 1000 else { throw error }
                Thread.sleep(forTimeInterval: delay)
                waited += delay
                delay = min(delay * 2, 0.1)
            }
        }
    }

    private func connection() throws(SQLiteError) -> OpaquePointer {
        guard let handle else { throw SQLiteError.closed(path: path) }
        return handle
    }
}
