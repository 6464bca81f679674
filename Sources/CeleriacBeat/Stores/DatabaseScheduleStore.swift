import Celeriac
import Foundation

/// The live-editable store (`celeriac beat --scheduler db`), like django-celery-beat's: the
/// entries themselves live in a SQLite file, with their run state. `celeriac beat add|edit|…`
/// change rows from another process; the running beat notices within a second (SQLite's
/// `data_version` tells a connection that another one committed) and follows without a restart.
///
/// Each instance owns one connection; calls block the actor's thread for as long as SQLite
/// takes (at most the busy timeout while another process writes).
public actor DatabaseScheduleStore: ScheduleStore {
    public nonisolated let location: String
    public nonisolated var keepsEntries: Bool { true }
    private let database: SQLiteDatabase
    /// `PRAGMA data_version` at the last load: it changes when another connection commits.
    private var seenVersion: Int?

    public init(path: String) throws(ScheduleStoreError) {
        location = path
        do {
            let opened = try SQLiteDatabase(path: path)
            let version = Int(try opened.scalarText("PRAGMA user_version") ?? "0") ?? 0
            guard version <= DatabaseScheduleSchema.version else {
                throw ScheduleStoreError.database(path: path, reason: "its schema is version \(version), newer than this celeriac reads (\(DatabaseScheduleSchema.version)); use the newer celeriac or another --db")
            }
            try opened.transaction { try DatabaseScheduleSchema.prepare(opened) }
            database = opened
        } catch let error as ScheduleStoreError {
            throw error
        } catch {
            throw .database(path: path, reason: "\(error); give a writable SQLite file with --db")
        }
    }

    // MARK: What the beat service uses

    /// Seeds the table with the configured entries, then loads it. A configured entry whose
    /// definition is unchanged since the last seeding keeps its live edits; one whose
    /// configuration changed is overwritten (its run state kept); one that left the
    /// configuration is removed. Entries added with `celeriac beat add` are left alone.
    public func prepare(configured: [PeriodicTask]) throws(ScheduleStoreError) -> StoredSchedule {
        try guarded {
            try database.transaction {
                for entry in configured { try seed(entry) }
                let names = Set(configured.map(\.name))
                let seeded = try database.statement("SELECT name FROM celeriac_beat_entry WHERE configured IS NOT NULL")
                var gone: [String] = []
                while try seeded.step() { if let name = seeded.text(at: 0), !names.contains(name) { gone.append(name) } }
                seeded.reset()
                for name in gone { try delete(name) }
            }
        }
        return try load()
    }

    public func reload(force: Bool) throws(ScheduleStoreError) -> StoredSchedule? {
        let version = try guarded { Int(try database.scalarText("PRAGMA data_version") ?? "") }
        guard force || version != seenVersion else { return nil }
        return try load()
    }

    /// Writes run state only (enabled is part of the definition here: `update`).
    public func save(_ states: [String: PeriodicTaskState]) throws(ScheduleStoreError) {
        try guarded {
            try database.transaction {
                let update = try database.statement("""
                    UPDATE celeriac_beat_entry SET last_run_at = ?1, total_run_count = ?2 WHERE name = ?3
                    """)
                for (name, state) in states {
                    update.reset()
                    try update.bind(state.lastRunAt?.timeIntervalSince1970, at: 1)
                    try update.bind(state.totalRunCount, at: 2)
                    try update.bind(name, at: 3)
                    try update.step()
                }
                update.reset()
            }
        }
    }

    public func update(_ entry: PeriodicTask) throws(ScheduleStoreError) {
        let changed = try guarded { try rewrite(entry) }
        if changed == 0 { throw .unknownEntry(name: entry.name, known: try names()) }
    }

    public func takeRunRequests() throws(ScheduleStoreError) -> [String] {
        try guarded {
            try database.transaction {
                let requested = try database.statement(
                    "SELECT name FROM celeriac_beat_entry WHERE run_requested_at IS NOT NULL ORDER BY run_requested_at")
                var names: [String] = []
                while try requested.step() { if let name = requested.text(at: 0) { names.append(name) } }
                requested.reset()
                if !names.isEmpty { try database.execute("UPDATE celeriac_beat_entry SET run_requested_at = NULL") }
                return names
            }
        }
    }

    // MARK: What `celeriac beat add|edit|…` use

    /// Every entry and its state, as the running beat would load it now.
    public func load() throws(ScheduleStoreError) -> StoredSchedule {
        try guarded {
            seenVersion = Int(try database.scalarText("PRAGMA data_version") ?? "")
            let rows = try database.statement(
                "SELECT \(DatabaseScheduleSchema.selectColumns.joined(separator: ", ")) FROM celeriac_beat_entry ORDER BY name")
            defer { rows.reset() }
            var schedule = StoredSchedule(entries: [], states: [:])
            while try rows.step() {
                do {
                    let (entry, state) = try DatabaseScheduleSchema.entry(from: rows)
                    schedule.entries.append(entry)
                    schedule.states[entry.name] = state
                } catch {
                    schedule.problems.append("\(error); it is skipped until fixed with celeriac beat edit")
                }
            }
            return schedule
        }
    }

    public func add(_ entry: PeriodicTask) throws(ScheduleStoreError) {
        do {
            try insert(entry, configured: nil)
        } catch let error as SQLiteError where error.isConstraint {
            throw .entryExists(name: entry.name)
        } catch {
            throw .database(path: location, reason: "\(error)")
        }
    }

    public func remove(_ name: String) throws(ScheduleStoreError) {
        let removed = try guarded {
            try delete(name)
            return database.changes
        }
        if removed == 0 { throw .unknownEntry(name: name, known: try names()) }
    }

    /// Asks the running beat to send the entry now; it does within a second.
    public func requestRun(_ name: String) throws(ScheduleStoreError) {
        let changed = try guarded {
            let statement = try database.statement("UPDATE celeriac_beat_entry SET run_requested_at = ?1 WHERE name = ?2")
            defer { statement.reset() }
            try statement.bind(Date().timeIntervalSince1970, at: 1)
            try statement.bind(name, at: 2)
            try statement.step()
            return database.changes
        }
        if changed == 0 { throw .unknownEntry(name: name, known: try names()) }
    }

    public func names() throws(ScheduleStoreError) -> [String] {
        try guarded {
            let statement = try database.statement("SELECT name FROM celeriac_beat_entry ORDER BY name")
            defer { statement.reset() }
            var names: [String] = []
            while try statement.step() { if let name = statement.text(at: 0) { names.append(name) } }
            return names
        }
    }

    // MARK: The lease row

    /// Takes or renews the lease `name` for `holder` until `ttl` seconds from now; false when
    /// another holder's lease has not run out.
    public func holdLease(_ name: String, holder: String, ttl: Double) throws(ScheduleStoreError) -> Bool {
        try guarded {
            try database.transaction {
                let now = Date().timeIntervalSince1970
                let take = try database.statement("""
                    INSERT INTO celeriac_beat_lease (name, holder, expires_at) VALUES (?1, ?2, ?3)
                    ON CONFLICT (name) DO UPDATE SET holder = ?2, expires_at = ?3
                    WHERE celeriac_beat_lease.holder = ?2 OR celeriac_beat_lease.expires_at < ?4
                    """)
                defer { take.reset() }
                try take.bind(name, at: 1)
                try take.bind(holder, at: 2)
                try take.bind(now + ttl, at: 3)
                try take.bind(now, at: 4)
                try take.step()
                return database.changes == 1
            }
        }
    }

    /// Gives the lease up at once, so a standby need not wait for it to run out.
    public func releaseLease(_ name: String, holder: String) throws(ScheduleStoreError) {
        try guarded {
            let release = try database.statement("DELETE FROM celeriac_beat_lease WHERE name = ?1 AND holder = ?2")
            defer { release.reset() }
            try release.bind(name, at: 1)
            try release.bind(holder, at: 2)
            try release.step()
        }
    }

    /// Who holds the lease and until when; nil when nobody's lease is current.
    public func leaseHolder(_ name: String) throws(ScheduleStoreError) -> (holder: String, until: Date)? {
        try guarded {
            let query = try database.statement("SELECT holder, expires_at FROM celeriac_beat_lease WHERE name = ?1")
            defer { query.reset() }
            try query.bind(name, at: 1)
            guard try query.step(), let holder = query.text(at: 0), let until = query.double(at: 1),
                  until > Date().timeIntervalSince1970 else { return nil }
            return (holder, Date(timeIntervalSince1970: until))
        }
    }

    // MARK: Rows

    private func seed(_ entry: PeriodicTask) throws {
        let definition = JSONValue.object(entry.table).serialized
        let existing = try database.statement("SELECT configured FROM celeriac_beat_entry WHERE name = ?1")
        try existing.bind(entry.name, at: 1)
        let found = try existing.step()
        let seededFrom = found ? existing.text(at: 0) : nil
        existing.reset()
        guard found else { return try insert(entry, configured: definition) }
        // Unchanged configuration: keep whatever was edited live since.
        if let seededFrom, let table = try? JSONValue(parsing: seededFrom).objectValue,
           (try? PeriodicTask(name: entry.name, table: table)) == entry {
            return
        }
        _ = try rewrite(entry, configured: .some(definition))
    }

    private func insert(_ entry: PeriodicTask, configured: String?) throws {
        let columns = DatabaseScheduleSchema.definitionColumns
        let count = columns.count
        let statement = try database.statement("""
            INSERT INTO celeriac_beat_entry (\(columns.joined(separator: ", ")), configured, date_changed, name)
            VALUES (\((1...count + 3).map { "?\($0)" }.joined(separator: ", ")))
            """)
        defer { statement.reset() }
        try DatabaseScheduleSchema.bind(entry, to: statement, from: 1)
        try statement.bind(configured, at: Int32(count + 1))
        try statement.bind(Date().timeIntervalSince1970, at: Int32(count + 2))
        try statement.bind(entry.name, at: Int32(count + 3))
        try statement.step()
    }

    /// Replaces a row's definition, keeping its runs; `configured` (when given) is what it
    /// was seeded from. Returns the rows changed: 0 when there is no such entry.
    private func rewrite(_ entry: PeriodicTask, configured: String?? = nil) throws -> Int {
        let columns = DatabaseScheduleSchema.definitionColumns
        let count = columns.count
        var assignments = columns.enumerated().map { "\($1) = ?\($0 + 1)" }
        assignments.append("date_changed = ?\(count + 1)")
        if configured != nil { assignments.append("configured = ?\(count + 3)") }
        let statement = try database.statement(
            "UPDATE celeriac_beat_entry SET \(assignments.joined(separator: ", ")) WHERE name = ?\(count + 2)")
        defer { statement.reset() }
        try DatabaseScheduleSchema.bind(entry, to: statement, from: 1)
        try statement.bind(Date().timeIntervalSince1970, at: Int32(count + 1))
        try statement.bind(entry.name, at: Int32(count + 2))
        if let configured { try statement.bind(configured, at: Int32(count + 3)) }
        try statement.step()
        return database.changes
    }

    private func delete(_ name: String) throws {
        let statement = try database.statement("DELETE FROM celeriac_beat_entry WHERE name = ?1")
        defer { statement.reset() }
        try statement.bind(name, at: 1)
        try statement.step()
    }

    /// Runs SQLite work, turning its errors into the store's, with the file named.
    private func guarded<T>(_ body: () throws -> T) throws(ScheduleStoreError) -> T {
        do {
            return try body()
        } catch let error as ScheduleStoreError {
            throw error
        } catch {
            throw .database(path: location, reason: "\(error)")
        }
    }
}
