import Foundation

/// `db+sqlite:///results.db`: results in a local SQLite file (WAL mode) that every worker and
/// caller on the machine opens with its own connection, so results outlive the processes that
/// wrote them. Layout: `SQLiteResultSchema`. Each instance owns one connection; the actor is
/// what serializes its use.
///
/// Calls block the actor's thread for as long as SQLite takes, including up to 5 s of busy
/// waiting when another process holds the write lock; no call suspends inside a transaction,
/// so a lock is never held across an `await`.
public actor SQLiteResultBackend: ResultBackend {
    public nonisolated let url: String
    /// The absolute path of the database file.
    public nonisolated let path: String
    public nonisolated let isPersistent = true
    /// Seconds after its date_done that a result is deleted; nil (or ≤ 0) keeps results for
    /// ever, as Celery's result_expires = None / 0 does.
    public nonisolated let expires: Double?

    /// How often `store` sweeps expired rows: Celery leaves that to its daily
    /// celery.backend_cleanup task under beat; here each process sweeps as it writes.
    static let expiryInterval: Double = 60

    let database: SQLiteDatabase
    private var lastExpirySweep: Date?

    /// Opens (creating when missing) the file a `db+sqlite://` URL names; throws
    /// `SQLiteResultBackendError` for a URL it cannot use and `SQLiteError` when SQLite fails.
    public init(url: String, expires: Double? = 86_400) throws {
        let path = try Self.path(fromURL: url)
        let database = try SQLiteDatabase(path: path)
        try SQLiteResultSchema.prepare(database)
        self.url = url
        self.path = path
        self.expires = expires
        self.database = database
    }

    // MARK: Reading

    public func meta(for taskID: String) throws -> ResultMeta? {
        let select = try database.statement(SQLiteResultSchema.selectMeta)
        defer { select.reset() }
        try select.bind(taskID, at: 1)
        guard try select.step(), let text = select.text(at: 0) else { return nil }
        return try Self.decode(text, taskID: taskID)
    }

    /// Polls the file, every 0.1 s at first and growing to every 0.5 s, as Celery's database
    /// backend polls too: a write in another process gives this connection no signal.
    public func waitUntilReady(_ taskID: String, timeout: Double?) async throws -> ResultMeta {
        let clock = ContinuousClock()
        // Duration traps on infinite or huge seconds; beyond a century is "for ever" anyway.
        let deadline = timeout.flatMap { $0 < 3e9 ? clock.now.advanced(by: .seconds(max($0, 0))) : nil }
        var interval = 0.1
        while true {
            if let meta = try meta(for: taskID), meta.status.isReady { return meta }
            var pause = Duration.seconds(interval)
            if let deadline, let timeout {
                let left = clock.now.duration(to: deadline)
                guard left > .zero else { throw ResultError.timeout(taskID: taskID, seconds: timeout) }
                pause = min(pause, left)  // one last look at the deadline itself
            }
            try await Task.sleep(for: pause)
            interval = min(interval * 1.5, 0.5)
        }
    }

    // MARK: Writing

    /// Records one state; see `storeMany` for the rules.
    public func store(_ meta: ResultMeta) throws {
        try storeMany([meta])
    }

    /// Records several states in one transaction (one fsync-free WAL commit instead of many).
    /// A ready state (SUCCESS, FAILURE, REVOKED) is never replaced by a state that is not:
    /// a late STARTED or PROGRESS from a redelivered message must not hide the result, which
    /// is the rule Celery's backends keep for SUCCESS. One ready state may replace another.
    public func storeMany(_ metas: [ResultMeta]) throws {
        guard !metas.isEmpty else { return }
        let now = Date()
        try database.transaction { try write(metas, updatedAt: now) }
        sweepIfDue(now: now)
    }

    public func forget(_ taskID: String) throws {
        try database.transaction {
            let delete = try database.statement(SQLiteResultSchema.delete)
            defer { delete.reset() }
            try delete.bind(taskID, at: 1)
            try delete.step()
        }
    }

    /// Deletes results whose date_done is more than `expires` seconds before `now` and returns
    /// how many went. Rows without a date_done (a task still running, or a worker that died
    /// before finishing) are kept.
    @discardableResult
    public func deleteExpired(now: Date = Date()) throws -> Int {
        guard let expires, expires > 0 else { return 0 }
        return try database.transaction {
            let delete = try database.statement(SQLiteResultSchema.deleteDoneBefore)
            defer { delete.reset() }
            try delete.bind(now.timeIntervalSince1970 - expires, at: 1)
            try delete.step()
            let removed = database.changes
            let groups = try database.statement(SQLiteResultSchema.deleteGroupsDoneBefore)
            defer { groups.reset() }
            try groups.bind(now.timeIntervalSince1970 - expires, at: 1)
            try groups.step()
            return removed
        }
    }

    public func close() {
        database.close()
    }

    // MARK: Internals

    /// The connection's journal mode, for tests ("wal").
    func journalMode() throws -> String? {
        try database.scalarText("PRAGMA journal_mode")
    }

    func write(_ metas: [ResultMeta], updatedAt now: Date) throws {
        let current = try database.statement(SQLiteResultSchema.currentStatus)
        let upsert = try database.statement(SQLiteResultSchema.upsert)
        defer {
            current.reset()
            upsert.reset()
        }
        for meta in metas {
            current.reset()
            try current.bind(meta.taskID, at: 1)
            let stored = try current.step() ? current.text(at: 0).map(TaskState.init(rawValue:)) : nil
            current.reset()
            if let stored, stored.isReady, !meta.status.isReady { continue }
            upsert.reset()
            try upsert.bind(meta.taskID, at: 1)
            try upsert.bind(meta.status.rawValue, at: 2)
            try upsert.bind(meta.json.serialized, at: 3)
            try upsert.bind(meta.dateDone?.timeIntervalSince1970, at: 4)
            try upsert.bind(now.timeIntervalSince1970, at: 5)
            try upsert.step()
        }
    }

    private func sweepIfDue(now: Date) {
        if let lastExpirySweep, now.timeIntervalSince(lastExpirySweep) < Self.expiryInterval { return }
        lastExpirySweep = now
        // The store has committed; a sweep that fails (say the lock was held past the busy
        // timeout) must not turn it into an error. The next sweep, a minute on, retries.
        _ = try? deleteExpired(now: now)
    }

    private static func decode(_ text: String, taskID: String) throws(SQLiteResultBackendError) -> ResultMeta {
        do {
            return try ResultMeta(json: JSONValue(parsing: text))
        } catch {
            throw .unreadableMeta(taskID: taskID, reason: "\(error)")
        }
    }
}
