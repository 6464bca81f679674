import Celeriac
import Foundation

/// The tables of the database schedule store (version 2, in `PRAGMA user_version`), as
/// django-celery-beat keeps its schedule: one row per entry with its schedule, its run
/// state and a run-now request; one row per lease.
///
/// Version 2 added `catch_up` ("once", "skip", "replay N"; NULL follows the beat's default).
/// A version-1 file is upgraded in place when a beat or `celeriac beat add|edit|…` opens it;
/// a file of a higher version is refused, never downgraded.
///
/// `configured` holds the `beat_schedule` (or code) definition an entry was last seeded from,
/// so a beat that starts again keeps the entry's live edits unless the configuration itself
/// changed; it is NULL for entries added with `celeriac beat add`.
enum DatabaseScheduleSchema {
    static let version = 2

    /// What brings a file of each older version up to `version`, in order.
    static let upgrades: [Int: String] = [
        1: "ALTER TABLE celeriac_beat_entry ADD COLUMN catch_up TEXT;",
    ]

    /// Creates the tables in a new file, or upgrades an older one. Run in the caller's
    /// (IMMEDIATE) transaction, which reads the version again: of two processes opening an
    /// old file at once, the second finds it upgraded.
    static func prepare(_ database: SQLiteDatabase) throws {
        let found = Int(try database.scalarText("PRAGMA user_version") ?? "0") ?? 0
        guard found > 0 else { return try database.execute(create) }
        for step in found..<version {
            guard let upgrade = upgrades[step] else { continue }
            try database.execute(upgrade)
        }
        try database.execute(create)  // tables added since, and the version
    }

    static let create = """
        CREATE TABLE IF NOT EXISTS celeriac_beat_entry (
            name TEXT PRIMARY KEY,
            task TEXT NOT NULL,
            args TEXT NOT NULL DEFAULT '[]',
            kwargs TEXT NOT NULL DEFAULT '{}',
            interval_seconds REAL,
            interval_relative INTEGER NOT NULL DEFAULT 0,
            crontab TEXT,
            solar_event TEXT,
            latitude REAL,
            longitude REAL,
            queue TEXT,
            exchange TEXT,
            routing_key TEXT,
            priority INTEGER,
            expires REAL,
            enabled INTEGER NOT NULL DEFAULT 1,
            one_off INTEGER NOT NULL DEFAULT 0,
            catch_up TEXT,
            last_run_at REAL,
            total_run_count INTEGER NOT NULL DEFAULT 0,
            run_requested_at REAL,
            configured TEXT,
            date_changed REAL NOT NULL,
            CHECK ((interval_seconds IS NOT NULL) + (crontab IS NOT NULL) + (solar_event IS NOT NULL) = 1)
        );
        CREATE TABLE IF NOT EXISTS celeriac_beat_lease (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at REAL NOT NULL
        );
        PRAGMA user_version = \(version);
        """

    /// The definition columns, in the order `bind(_:to:from:)` fills them.
    static let definitionColumns = [
        "task", "args", "kwargs", "interval_seconds", "interval_relative", "crontab", "solar_event", "latitude",
        "longitude", "queue", "exchange", "routing_key", "priority", "expires", "enabled", "one_off", "catch_up",
    ]

    /// Every column `entry(from:)` reads, in order.
    static let selectColumns = ["name"] + definitionColumns + ["last_run_at", "total_run_count"]

    /// Binds an entry's definition to parameters `first`, `first + 1`, … in `definitionColumns` order.
    static func bind(_ entry: PeriodicTask, to statement: SQLiteStatement, from first: Int32) throws(SQLiteError) {
        let table = entry.table
        var index = first
        func next() -> Int32 {
            defer { index += 1 }
            return index
        }
        try statement.bind(entry.task, at: next())
        try statement.bind(JSONValue.array(entry.args).serialized, at: next())
        try statement.bind(JSONValue.object(entry.kwargs).serialized, at: next())
        try statement.bind(table["schedule"]?.doubleValue, at: next())
        try statement.bind(table["relative"]?.boolValue == true ? 1 : 0, at: next())
        try statement.bind(table["crontab"]?.stringValue, at: next())
        try statement.bind(table["solar"]?.stringValue, at: next())
        try statement.bind(table["latitude"]?.doubleValue, at: next())
        try statement.bind(table["longitude"]?.doubleValue, at: next())
        try statement.bind(entry.queue, at: next())
        try statement.bind(entry.exchange, at: next())
        try statement.bind(entry.routingKey, at: next())
        try statement.bind(entry.priority, at: next())
        try statement.bind(entry.expires, at: next())
        try statement.bind(entry.enabled ? 1 : 0, at: next())
        try statement.bind(entry.oneOff ? 1 : 0, at: next())
        try statement.bind(entry.catchUp?.spec, at: next())
    }

    /// The entry and its run state on the current row of a `selectColumns` query. A row
    /// someone wrote by hand may not make an entry: that is thrown with the row's name.
    static func entry(from row: SQLiteStatement) throws(PeriodicTaskError) -> (PeriodicTask, PeriodicTaskState) {
        let name = row.text(at: 0) ?? ""
        var table: [String: JSONValue] = [:]
        table["task"] = row.text(at: 1).map(JSONValue.string)
        for (key, column) in [("args", Int32(2)), ("kwargs", 3)] {
            guard let text = row.text(at: column) else { continue }
            do {
                table[key] = try JSONValue(parsing: text)
            } catch {
                throw .invalidEntry(name: name, reason: "\(key) is not JSON (\(error)): \(text)")
            }
        }
        table["schedule"] = row.double(at: 4).map(JSONValue.double)
        table["relative"] = .bool(row.int(at: 5) == 1)
        table["crontab"] = row.text(at: 6).map(JSONValue.string)
        table["solar"] = row.text(at: 7).map(JSONValue.string)
        table["latitude"] = row.double(at: 8).map(JSONValue.double)
        table["longitude"] = row.double(at: 9).map(JSONValue.double)
        table["queue"] = row.text(at: 10).map(JSONValue.string)
        table["exchange"] = row.text(at: 11).map(JSONValue.string)
        table["routing_key"] = row.text(at: 12).map(JSONValue.string)
        table["priority"] = row.int(at: 13).map(JSONValue.int)
        table["expires"] = row.double(at: 14).map(JSONValue.double)
        table["enabled"] = .bool(row.int(at: 15) != 0)
        table["one_off"] = .bool(row.int(at: 16) == 1)
        table["catch_up"] = row.text(at: 17).map(JSONValue.string)
        let entry = try PeriodicTask(name: name, table: table)
        let lastRun = row.double(at: 18).map { Date(timeIntervalSince1970: $0) }
        return (entry, PeriodicTaskState(lastRunAt: lastRun, totalRunCount: row.int(at: 19) ?? 0))
    }
}
