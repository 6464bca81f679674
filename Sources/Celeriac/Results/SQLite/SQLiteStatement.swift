import CSQLite

/// One prepared statement of a `SQLiteDatabase`. Not Sendable: it is used only by the
/// database's owner (an actor), like the connection itself. Parameters are 1-based and
/// columns 0-based, as in the C API.
package final class SQLiteStatement {
    private var handle: OpaquePointer?
    let sql: String

    init(database: OpaquePointer, sql: String) throws(SQLiteError) {
        self.sql = sql
        var prepared: OpaquePointer?
        // PERSISTENT: the statement is cached for the connection's life, not used once.
        let code = sqlite3_prepare_v3(database, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &prepared, nil)
        guard code == SQLITE_OK, prepared != nil else {
            sqlite3_finalize(prepared)
            throw SQLiteError.failure(sql: sql, code: code, database: database)
        }
        handle = prepared
    }

    deinit { finalize() }

    func finalize() {
        sqlite3_finalize(handle)
        handle = nil
    }

    // MARK: Parameters

    package func bind(_ value: String?, at index: Int32) throws(SQLiteError) {
        guard let value else { return try bindNull(at: index) }
        let handle = try statement()
        let count = value.utf8.count
        // An explicit byte count (not -1) keeps a NUL inside the text; TRANSIENT copies it.
        let code = value.withCString { text in
            sqlite3_bind_text64(handle, index, text, sqlite3_uint64(count), celeriac_sqlite3_transient(),
                                UInt8(SQLITE_UTF8))
        }
        try check(code)
    }

    package func bind(_ value: Double?, at index: Int32) throws(SQLiteError) {
        guard let value else { return try bindNull(at: index) }
        try check(sqlite3_bind_double(try statement(), index, value))
    }

    package func bind(_ value: Int?, at index: Int32) throws(SQLiteError) {
        guard let value else { return try bindNull(at: index) }
        try check(sqlite3_bind_int64(try statement(), index, sqlite3_int64(value)))
    }

    package func bindNull(at index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(try statement(), index))
    }

    // MARK: Running

    /// Runs one step: true when a row is ready to read, false when the statement is done.
    @discardableResult
    package func step() throws(SQLiteError) -> Bool {
        let code = sqlite3_step(try statement())
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default: throw SQLiteError.failure(sql: sql, code: code, database: handle.flatMap { sqlite3_db_handle($0) })
        }
    }

    /// Rewinds for another run and forgets the bound values, so a cached statement starts clean.
    package func reset() {
        guard let handle else { return }
        // reset returns the last step's error again, which step() already threw.
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
    }

    // MARK: Columns of the current row

    package func isNull(at column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    package func text(at column: Int32) -> String? {
        // text before bytes, as the C API asks: the length is of the converted UTF-8 form.
        guard let bytes = sqlite3_column_text(handle, column) else { return nil }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: bytes, count: count), as: UTF8.self)
    }

    package func double(at column: Int32) -> Double? {
        isNull(at: column) ? nil : sqlite3_column_double(handle, column)
    }

    package func int(at column: Int32) -> Int? {
        isNull(at: column) ? nil : Int(sqlite3_column_int64(handle, column))
    }

    // MARK: Helpers

    private func statement() throws(SQLiteError) -> OpaquePointer {
        guard let handle else {
            throw SQLiteError.statementFailed(sql: sql, code: SQLITE_MISUSE, message: "the statement was finalized")
        }
        return handle
    }

    private func check(_ code: Int32) throws(SQLiteError) {
        guard code != SQLITE_OK else { return }
        throw SQLiteError.failure(sql: sql, code: code, database: handle.flatMap { sqlite3_db_handle($0) })
    }
}
