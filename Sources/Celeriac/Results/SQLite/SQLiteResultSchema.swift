/// Celeriac's own table for `db+sqlite://` results, version 3 (kept in `PRAGMA user_version`):
///
///     celeriac_taskmeta(
///         task_id    TEXT PRIMARY KEY,
///         status     TEXT NOT NULL,   -- "SUCCESS", "STARTED", "PROGRESS", …
///         meta       TEXT NOT NULL,   -- Celery's meta JSON, exactly what rpc:// and redis:// carry
///         date_done  REAL,            -- epoch seconds from the meta's date_done; NULL if it has none
///         updated_at REAL NOT NULL)   -- epoch seconds of the last store
///     index celeriac_taskmeta_date_done(date_done)   -- for the expiry sweep
///
///     celeriac_groupmeta(group_id TEXT PRIMARY KEY,                        -- version 3
///         result TEXT NOT NULL,         -- Celery's GroupResult.as_tuple(), as JSON
///         date_done REAL NOT NULL)
///     celeriac_chord(group_id TEXT PRIMARY KEY, size INTEGER NOT NULL, created_at REAL NOT NULL)
///     celeriac_chord_part(group_id, task_id, group_index, status, result,   -- version 2
///         PRIMARY KEY (group_id, task_id))
///
/// A chord's header results are counted in `celeriac_chord_part`, written in the same
/// transaction as the task's meta; a redelivered task adds no second part.
///
/// It is not the SQLAlchemy `celery_taskmeta` table of Celery's database backend (that one
/// holds the result serialized by the backend's serializer, pickle by default): storing the
/// meta JSON whole keeps every field, extended or unknown, without a column per field.
/// A file with a higher version is refused, never downgraded.
enum SQLiteResultSchema {
    static let version = 3

    static let create = """
        CREATE TABLE IF NOT EXISTS celeriac_taskmeta (
            task_id TEXT PRIMARY KEY,
            status TEXT NOT NULL,
            meta TEXT NOT NULL,
            date_done REAL,
            updated_at REAL NOT NULL
        );
        CREATE INDEX IF NOT EXISTS celeriac_taskmeta_date_done ON celeriac_taskmeta (date_done);
        CREATE TABLE IF NOT EXISTS celeriac_groupmeta (
            group_id TEXT PRIMARY KEY,
            result TEXT NOT NULL,
            date_done REAL NOT NULL
        );
        CREATE TABLE IF NOT EXISTS celeriac_chord (
            group_id TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE TABLE IF NOT EXISTS celeriac_chord_part (
            group_id TEXT NOT NULL,
            task_id TEXT NOT NULL,
            group_index INTEGER,
            status TEXT NOT NULL,
            result TEXT NOT NULL,
            PRIMARY KEY (group_id, task_id)
        );
        PRAGMA user_version = \(version);
        """

    static let currentStatus = "SELECT status FROM celeriac_taskmeta WHERE task_id = ?1"
    static let selectMeta = "SELECT meta FROM celeriac_taskmeta WHERE task_id = ?1"
    static let upsert = """
        INSERT INTO celeriac_taskmeta (task_id, status, meta, date_done, updated_at)
        VALUES (?1, ?2, ?3, ?4, ?5)
        ON CONFLICT (task_id) DO UPDATE SET status = excluded.status, meta = excluded.meta,
            date_done = excluded.date_done, updated_at = excluded.updated_at
        """
    static let delete = "DELETE FROM celeriac_taskmeta WHERE task_id = ?1"
    static let setChordSize = """
        INSERT INTO celeriac_chord (group_id, size, created_at) VALUES (?1, ?2, ?3)
        ON CONFLICT (group_id) DO UPDATE SET size = excluded.size
        """
    static let chordSize = "SELECT size FROM celeriac_chord WHERE group_id = ?1"
    static let addChordPart = """
        INSERT OR IGNORE INTO celeriac_chord_part (group_id, task_id, group_index, status, result)
        VALUES (?1, ?2, ?3, ?4, ?5)
        """
    static let countChordParts = "SELECT count(*) FROM celeriac_chord_part WHERE group_id = ?1"
    /// Header order; parts without an index last, as Celery scores them +inf.
    static let chordParts = """
        SELECT task_id, status, result FROM celeriac_chord_part WHERE group_id = ?1
        ORDER BY group_index IS NULL, group_index, task_id
        """
    static let deleteChord = "DELETE FROM celeriac_chord WHERE group_id = ?1"
    static let deleteChordParts = "DELETE FROM celeriac_chord_part WHERE group_id = ?1"
    static let deleteDoneBefore = "DELETE FROM celeriac_taskmeta WHERE date_done < ?1"
    static let deleteGroupsDoneBefore = "DELETE FROM celeriac_groupmeta WHERE date_done < ?1"
    static let upsertGroup = """
        INSERT INTO celeriac_groupmeta (group_id, result, date_done) VALUES (?1, ?2, ?3)
        ON CONFLICT (group_id) DO UPDATE SET result = excluded.result, date_done = excluded.date_done
        """
    static let selectGroup = "SELECT result FROM celeriac_groupmeta WHERE group_id = ?1"

    /// Creates the table on a fresh file and checks the version of an existing one. Runs in
    /// one IMMEDIATE transaction so workers opening a new file together create it once.
    static func prepare(_ database: SQLiteDatabase) throws {
        try database.transaction {
            let text = try database.scalarText("PRAGMA user_version")
            let found = text.flatMap { Int($0) } ?? 0
            guard found <= version else {
                throw SQLiteResultBackendError.newerSchema(path: database.path, found: found, supported: version)
            }
            if found < version { try database.execute(create) }
        }
    }
}
