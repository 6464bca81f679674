import Celeriac
import CeleriacBeat
import CSQLite
import Foundation
import Testing

/// The database store on a real SQLite file, with a second connection standing in for
/// `celeriac beat add|edit|…` in another process.
@Suite struct DatabaseScheduleStoreTests {
    static func path() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("beat-\(UUID().uuidString.prefix(8)).db").path
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }

    static let tick = PeriodicTask(name: "tick", task: "demo.add", args: [2, 3], kwargs: ["z": true],
                                   schedule: .interval(try! IntervalSchedule(seconds: 10)), queue: "q", priority: 5, expires: 30,
                                   catchUp: .replay(3))
    static let sunset = PeriodicTask(name: "sunset", task: "demo.noop",
                                     schedule: .solar(try! SolarSchedule(.sunset, latitude: 52.5, longitude: 13.4)), oneOff: true)

    @Test func configuredEntriesAreSeededWithEveryField() async throws {
        let path = Self.path()
        defer { Self.remove(path) }
        let store = try DatabaseScheduleStore(path: path)
        let schedule = try await store.prepare(configured: [Self.tick, Self.sunset])
        #expect(schedule.entries == [Self.sunset, Self.tick], "every field round-trips through the row, sorted by name")
        #expect(schedule.states["tick"] == PeriodicTaskState(), "never run")
        #expect(schedule.problems.isEmpty)
    }

    @Test func liveEditsSurviveARestartUnlessTheConfigurationChanged() async throws {
        let path = Self.path()
        defer { Self.remove(path) }
        let beat = try DatabaseScheduleStore(path: path)
        _ = try await beat.prepare(configured: [Self.tick, Self.sunset])
        var edited = Self.tick
        edited.args = [7, 8]
        edited.schedule = .crontab(try Crontab(expression: "*/5 * * * *"))
        let cli = try DatabaseScheduleStore(path: path)
        try await cli.update(edited)
        let ran = Date(timeIntervalSince1970: 1_800_000_000)
        try await beat.save(["tick": PeriodicTaskState(lastRunAt: ran, totalRunCount: 4)])

        // Same configuration at the next start: the edit stays.
        let again = try await DatabaseScheduleStore(path: path).prepare(configured: [Self.tick, Self.sunset])
        #expect(again.entries.first { $0.name == "tick" } == edited)
        #expect(again.states["tick"] == PeriodicTaskState(lastRunAt: ran, totalRunCount: 4))

        // The configuration itself changed: it wins, the runs are kept; sunset left it: removed.
        var reconfigured = Self.tick
        reconfigured.args = [100]
        let restarted = try await DatabaseScheduleStore(path: path).prepare(configured: [reconfigured])
        #expect(restarted.entries == [reconfigured])
        #expect(restarted.states["tick"]?.totalRunCount == 4)
    }

    @Test func entriesAddedHereStayWhateverTheConfigurationSays() async throws {
        let path = Self.path()
        defer { Self.remove(path) }
        let cli = try DatabaseScheduleStore(path: path)
        try await cli.add(Self.sunset)
        await #expect(throws: ScheduleStoreError.entryExists(name: "sunset")) { try await cli.add(Self.sunset) }
        let schedule = try await DatabaseScheduleStore(path: path).prepare(configured: [Self.tick])
        #expect(schedule.entries.map(\.name) == ["sunset", "tick"])
    }

    /// What the running beat polls: nothing when nobody else wrote; the change when someone did.
    @Test func reloadSeesOnlyAnotherConnectionsChanges() async throws {
        let path = Self.path()
        defer { Self.remove(path) }
        let beat = try DatabaseScheduleStore(path: path)
        _ = try await beat.prepare(configured: [Self.tick])
        #expect(try await beat.reload(force: false) == nil)
        try await beat.save(["tick": PeriodicTaskState(totalRunCount: 1)])
        #expect(try await beat.reload(force: false) == nil, "its own writes are not news")

        let cli = try DatabaseScheduleStore(path: path)
        var disabled = Self.tick
        disabled.enabled = false
        try await cli.update(disabled)
        let fresh = try #require(try await beat.reload(force: false))
        #expect(fresh.entries == [disabled])
        #expect(fresh.states["tick"]?.totalRunCount == 1)
        #expect(try await beat.reload(force: false) == nil)
        #expect(try await beat.reload(force: true)?.entries == [disabled])

        try await cli.remove("tick")
        #expect(try await beat.reload(force: false)?.entries == [])
        await #expect(throws: ScheduleStoreError.unknownEntry(name: "tick", known: [])) { try await cli.remove("tick") }
        await #expect(throws: ScheduleStoreError.unknownEntry(name: "tick", known: [])) { try await cli.update(disabled) }
    }

    @Test func runRequestsAreHandedOutOnce() async throws {
        let path = Self.path()
        defer { Self.remove(path) }
        let beat = try DatabaseScheduleStore(path: path)
        _ = try await beat.prepare(configured: [Self.tick, Self.sunset])
        let cli = try DatabaseScheduleStore(path: path)
        try await cli.requestRun("sunset")
        try await cli.requestRun("tick")
        await #expect(throws: ScheduleStoreError.unknownEntry(name: "nope", known: ["sunset", "tick"])) { try await cli.requestRun("nope") }
        #expect(try await beat.takeRunRequests() == ["sunset", "tick"])
        #expect(try await beat.takeRunRequests() == [])
    }

    /// One holder at a time; the holder renews; a lease that ran out (its holder died) is
    /// taken; a released one is free at once.
    @Test func theLeaseRowHasOneHolder() async throws {
        let path = Self.path()
        defer { Self.remove(path) }
        let (one, two) = (try DatabaseScheduleStore(path: path), try DatabaseScheduleStore(path: path))
        #expect(try await one.holdLease("schedule", holder: "one", ttl: 2))
        #expect(try await !two.holdLease("schedule", holder: "two", ttl: 2))
        #expect(try await one.holdLease("schedule", holder: "one", ttl: 2), "renewed")
        let renewedAt = Date()
        #expect(try await two.leaseHolder("schedule")?.holder == "one")
        let ranOut = renewedAt.addingTimeInterval(2.05)
        while Date() < ranOut { try await Task.sleep(for: .milliseconds(50)) }  // the lease's own clock: time is the event
        #expect(try await two.holdLease("schedule", holder: "two", ttl: 10), "taken once it ran out")
        #expect(try await !one.holdLease("schedule", holder: "one", ttl: 10), "the old holder knows it lost it")
        try await two.releaseLease("schedule", holder: "two")
        #expect(try await two.leaseHolder("schedule") == nil)
        #expect(try await one.holdLease("schedule", holder: "one", ttl: 10), "free at once after a release")
    }

    /// A row written by hand that makes no entry is skipped with its reason; the rest load.
    @Test func aBadRowIsReportedNotFatal() async throws {
        let path = Self.path()
        defer { Self.remove(path) }
        let store = try DatabaseScheduleStore(path: path)
        _ = try await store.prepare(configured: [Self.tick])
        var handle: OpaquePointer?
        #expect(sqlite3_open(path, &handle) == SQLITE_OK)
        let sql = """
            INSERT INTO celeriac_beat_entry (name, task, args, crontab, date_changed) VALUES ('bad-args', 'x', '[1,', '* * * * *', 0);
            INSERT INTO celeriac_beat_entry (name, task, crontab, date_changed) VALUES ('bad-cron', 'x', '99 * * * *', 0);
            """
        #expect(sqlite3_exec(handle, sql, nil, nil, nil) == SQLITE_OK)
        sqlite3_close(handle)
        let schedule = try #require(try await store.reload(force: false))
        #expect(schedule.entries == [Self.tick])
        #expect(schedule.problems.count == 2)
        #expect(schedule.problems.contains { $0.contains("bad-args") && $0.contains("args is not JSON") })
        #expect(schedule.problems.contains { $0.contains("bad-cron") && $0.contains("99") })
    }

    /// A file written by a beat before catch_up existed (schema version 1) opens: it is
    /// upgraded in place, its entries keep their runs and follow the beat's default, and the
    /// new column takes a rule — also when another connection opens it after the upgrade.
    @Test func aVersionOneFileIsUpgradedAndKeepsItsEntries() async throws {
        let path = Self.path()
        defer { Self.remove(path) }
        var handle: OpaquePointer?
        #expect(sqlite3_open(path, &handle) == SQLITE_OK)
        let version1 = """
            CREATE TABLE celeriac_beat_entry (
                name TEXT PRIMARY KEY, task TEXT NOT NULL, args TEXT NOT NULL DEFAULT '[]',
                kwargs TEXT NOT NULL DEFAULT '{}', interval_seconds REAL, interval_relative INTEGER NOT NULL DEFAULT 0,
                crontab TEXT, solar_event TEXT, latitude REAL, longitude REAL, queue TEXT, exchange TEXT,
                routing_key TEXT, priority INTEGER, expires REAL, enabled INTEGER NOT NULL DEFAULT 1,
                one_off INTEGER NOT NULL DEFAULT 0, last_run_at REAL, total_run_count INTEGER NOT NULL DEFAULT 0,
                run_requested_at REAL, configured TEXT, date_changed REAL NOT NULL,
                CHECK ((interval_seconds IS NOT NULL) + (crontab IS NOT NULL) + (solar_event IS NOT NULL) = 1));
            CREATE TABLE celeriac_beat_lease (name TEXT PRIMARY KEY, holder TEXT NOT NULL, expires_at REAL NOT NULL);
            INSERT INTO celeriac_beat_entry (name, task, args, crontab, last_run_at, total_run_count, date_changed)
                VALUES ('nightly', 'proj.cleanup', '[1]', '0 3 * * *', 1800000000, 7, 0);
            PRAGMA user_version = 1;
            """
        #expect(sqlite3_exec(handle, version1, nil, nil, nil) == SQLITE_OK)
        sqlite3_close(handle)

        let store = try DatabaseScheduleStore(path: path)
        let loaded = try await store.load()
        let nightly = PeriodicTask(name: "nightly", task: "proj.cleanup", args: [1], schedule: .crontab(try Crontab(expression: "0 3 * * *")))
        #expect(loaded.entries == [nightly] && loaded.problems.isEmpty)
        #expect(loaded.states["nightly"] == PeriodicTaskState(lastRunAt: Date(timeIntervalSince1970: 1_800_000_000), totalRunCount: 7))
        var skipping = nightly
        skipping.catchUp = .skip
        try await store.update(skipping)
        let again = try DatabaseScheduleStore(path: path)
        #expect(try await again.load().entries == [skipping])
        #expect(sqlite3_open(path, &handle) == SQLITE_OK)
        var statement: OpaquePointer?
        #expect(sqlite3_prepare_v2(handle, "PRAGMA user_version", -1, &statement, nil) == SQLITE_OK)
        #expect(sqlite3_step(statement) == SQLITE_ROW && sqlite3_column_int(statement, 0) == 2)
        sqlite3_finalize(statement)
        sqlite3_close(handle)
    }

    @Test func aNewerSchemaOrAnUnwritablePathSaysWhatToDo() throws {
        let path = Self.path()
        defer { Self.remove(path) }
        var handle: OpaquePointer?
        #expect(sqlite3_open(path, &handle) == SQLITE_OK)
        #expect(sqlite3_exec(handle, "PRAGMA user_version = 9", nil, nil, nil) == SQLITE_OK)
        sqlite3_close(handle)
        #expect { try DatabaseScheduleStore(path: path) } throws: { "\($0)".contains("version 9") && "\($0)".contains("--db") }
        #expect { try DatabaseScheduleStore(path: "/no-such-dir-\(UUID().uuidString)/beat.db") } throws: { "\($0)".contains("--db") }
    }
}
