@testable import Celeriac
import Foundation
import Testing

/// A fresh database file per test, removed afterwards with its -wal and -shm companions.
struct TemporaryResultStore: Sendable {
    let path = URL(fileURLWithPath: NSTemporaryDirectory())
        .appendingPathComponent("celeriac-\(UUID().uuidString).db").path
    /// Four slashes: the temporary path is absolute.
    var url: String { "db+sqlite:///" + path }

    func open(expires: Double? = 86_400) throws -> SQLiteResultBackend {
        try SQLiteResultBackend(url: url, expires: expires)
    }

    static func with(_ body: (TemporaryResultStore) async throws -> Void) async throws {
        let store = TemporaryResultStore()
        defer { for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: store.path + suffix) } }
        try await body(store)
    }
}

@Suite struct SQLiteResultBackendTests {
    static func success(_ id: String, _ value: Int, doneAt date: Date = Date()) -> ResultMeta {
        ResultMeta(taskID: id, status: .success, result: .int(value), dateDone: date)
    }

    static func fixtureMeta(_ name: String) throws -> ResultMeta {
        try ResultMeta(json: JSONValue(parsing: CeleryFixture.load(name).message.body))
    }

    // MARK: Reading back what was stored

    @Test(arguments: ["rpc-result-success-1.json", "rpc-result-failure-1.json", "rpc-result-revoked-1.json",
                      "rpc-result-retry-1.json"])
    func celeryMetasRoundTrip(name: String) async throws {
        let meta = try Self.fixtureMeta(name)
        try await TemporaryResultStore.with { store in
            // The fixtures' date_done is in the past: without expiry the first store's sweep
            // cannot remove them (expiry has its own test).
            let backend = try store.open(expires: nil)
            try await backend.store(meta)
            let read = try #require(try await backend.meta(for: meta.taskID))
            #expect(read.json == meta.json)
            #expect(try await backend.meta(for: "no-such-task") == nil)
        }
    }

    @Test func extendedFieldsAndTheFailureSurvive() async throws {
        let success = try Self.fixtureMeta("rpc-result-success-1.json")
        let failure = try Self.fixtureMeta("rpc-result-failure-1.json")
        try await TemporaryResultStore.with { store in
            let backend = try store.open(expires: nil)
            try await backend.storeMany([success, failure])
            let added = try #require(try await backend.meta(for: success.taskID))
            #expect(added.status == .success && added.result == 5)
            #expect(added.name == "fix.add" && added.args == [2, 3] && added.worker == "fixw@vm")
            let failed = try #require(try await backend.meta(for: failure.taskID))
            #expect(failed.status == .failure)
            #expect(failed.error?.type == "ValueError")
            #expect(failed.error?.message == ["boom \u{2717}"])
            #expect(failed.traceback?.contains("raise ValueError(message)") == true)
        }
    }

    // MARK: State rules

    @Test func aLateStartedDoesNotHideTheResult() async throws {
        try await TemporaryResultStore.with { store in
            let backend = try store.open()
            try await backend.store(Self.success("t1", 7))
            try await backend.store(ResultMeta(taskID: "t1", status: .started))  // a redelivered message
            try await backend.storeMany([ResultMeta(taskID: "t1", status: "PROGRESS")])
            let read = try #require(try await backend.meta(for: "t1"))
            #expect(read.status == .success && read.result == 7)
            // One ready state may still replace another.
            try await backend.store(ResultMeta(taskID: "t1", status: .revoked, dateDone: Date()))
            #expect(try await backend.meta(for: "t1")?.status == .revoked)
        }
    }

    @Test func customStateThenSuccess() async throws {
        try await TemporaryResultStore.with { store in
            let backend = try store.open()
            try await backend.store(ResultMeta(taskID: "t2", status: "PROGRESS", result: ["current": 3, "total": 10]))
            let progress = try #require(try await backend.meta(for: "t2"))
            #expect(progress.status == "PROGRESS" && !progress.status.isReady)
            #expect(progress.result["current"] == 3)
            try await backend.store(Self.success("t2", 10))
            #expect(try await backend.meta(for: "t2")?.status == .success)
            try await backend.forget("t2")
            #expect(try await backend.meta(for: "t2") == nil)
        }
    }

    // MARK: Persistence and expiry

    @Test func resultsOutliveTheConnection() async throws {
        try await TemporaryResultStore.with { store in
            let meta = Self.success("t4", 4)
            let first = try store.open()
            try await first.store(meta)
            await first.close()
            await #expect(throws: SQLiteError.closed(path: store.path)) { try await first.meta(for: "t4") }
            let second = try store.open()
            #expect(try await second.meta(for: "t4")?.json == meta.json)
            await second.close()
        }
    }

    @Test func expiryRemovesOnlyOldFinishedResults() async throws {
        try await TemporaryResultStore.with { store in
            let backend = try store.open(expires: 3600)
            let now = Date()
            // All are young by the real clock, so the sweep of this first store keeps them.
            try await backend.storeMany([Self.success("old", 1, doneAt: now - 100), Self.success("new", 2, doneAt: now - 10),
                                         ResultMeta(taskID: "running", status: .started)])
            // An hour less 50 s later, only "old" is past its hour.
            #expect(try await backend.deleteExpired(now: now + 3600 - 50) == 1)
            #expect(try await backend.meta(for: "old") == nil)
            #expect(try await backend.meta(for: "new") != nil)
            #expect(try await backend.meta(for: "running") != nil)
            let keepForever = try store.open(expires: nil)
            #expect(try await keepForever.deleteExpired(now: now + 1e9) == 0)
        }
    }

    // MARK: Waiting

    @Test func waitSeesAResultStoredThroughAnotherConnection() async throws {
        try await TemporaryResultStore.with { store in
            let waiter = try store.open()
            let worker = try store.open()
            try await worker.store(ResultMeta(taskID: "t5", status: .started))
            let finishing = Task {
                try await Task.sleep(for: .milliseconds(250))
                try await worker.store(Self.success("t5", 42))
            }
            let meta = try await waiter.waitUntilReady("t5", timeout: 30)  // bounds a failure only; returns on the write
            try await finishing.value
            #expect(meta.status == .success && meta.result == 42)
        }
    }

    @Test func waitTimesOut() async throws {
        try await TemporaryResultStore.with { store in
            let backend = try store.open()
            try await backend.store(ResultMeta(taskID: "t6", status: .started))
            let started = ContinuousClock.now
            await #expect(throws: ResultError.timeout(taskID: "t6", seconds: 0.3)) {
                try await backend.waitUntilReady("t6", timeout: 0.3)
            }
            #expect(ContinuousClock.now - started >= .milliseconds(290))
        }
    }

    // MARK: Several connections and processes

    /// Eight connections, as eight worker processes would have, each opening the fresh file at
    /// the same time (the WAL switch races) and writing in batches and one by one.
    @Test func eightConnectionsWriteAtOnce() async throws {
        try await TemporaryResultStore.with { store in
            try await withThrowingTaskGroup(of: Void.self) { group in
                for writer in 0..<8 {
                    group.addTask {
                        let backend = try store.open()
                        let metas = (0..<200).map { Self.success("w\(writer)-\($0)", $0) }
                        for start in stride(from: 0, to: 100, by: 25) {
                            try await backend.storeMany(Array(metas[start..<start + 25]))
                        }
                        for meta in metas[100...] { try await backend.store(meta) }
                        await backend.close()
                    }
                }
                try await group.waitForAll()  // an SQLITE_BUSY anywhere fails the test here
            }
            let reader = try store.open()
            var wrong: [String] = []
            for writer in 0..<8 {
                for index in 0..<200 {
                    let id = "w\(writer)-\(index)"
                    if try await reader.meta(for: id)?.result != .int(index) { wrong.append(id) }
                }
            }
            #expect(wrong.isEmpty, "missing or wrong: \(wrong.prefix(10))")
        }
    }

    static let hasSQLiteCLI = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
        .contains { FileManager.default.isExecutableFile(atPath: "\($0)/sqlite3") }

    /// Another process (the sqlite3 shell) holds the write lock for 0.2 s at a time while we
    /// store: our writes wait for it instead of failing with SQLITE_BUSY, and we read its rows.
    @Test func anotherProcessHoldingTheLockIsWaitedFor() async throws {
        guard Self.hasSQLiteCLI else {
            if Peers.isRequired { Issue.record("the sqlite3 command-line shell is needed (apt-get install sqlite3)") }
            return
        }
        try await TemporaryResultStore.with { store in
            let backend = try store.open()
            let marker = store.path + ".locked"
            defer { try? FileManager.default.removeItem(atPath: marker) }
            var script = ".bail on\n.timeout 5000\n"
            for index in 0..<3 {
                script += """
                    BEGIN IMMEDIATE;
                    INSERT INTO celeriac_taskmeta VALUES ('cli-\(index)', 'SUCCESS',
                        '{"task_id": "cli-\(index)", "status": "SUCCESS", "result": \(index)}', NULL, 0);
                    .shell touch '\(marker)'
                    .shell sleep 0.2
                    COMMIT;

                    """
            }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["sqlite3", store.path]
            let input = Pipe(), errors = Pipe()
            process.standardInput = input
            process.standardOutput = FileHandle.nullDevice
            process.standardError = errors
            try process.run()
            input.fileHandleForWriting.write(Data(script.utf8))
            try input.fileHandleForWriting.close()

            while !FileManager.default.fileExists(atPath: marker), process.isRunning {
                try await Task.sleep(for: .milliseconds(5))
            }
            // The shell holds (or soon takes again) the lock: these must wait, never fail busy.
            // How long they wait depends on scheduling, so only the outcome is asserted.
            for index in 0..<50 { try await backend.store(Self.success("ours-\(index)", index)) }

            while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(process.terminationStatus == 0, "sqlite3: \(stderr)")
            for index in 0..<3 { #expect(try await backend.meta(for: "cli-\(index)")?.result == .int(index)) }
            for index in 0..<50 { #expect(try await backend.meta(for: "ours-\(index)")?.result == .int(index)) }
        }
    }

    @Test func theFileIsInWALMode() async throws {
        try await TemporaryResultStore.with { store in
            let backend = try store.open()
            try await backend.store(Self.success("t7", 7))
            #expect(try await backend.journalMode() == "wal")
            #expect(FileManager.default.fileExists(atPath: store.path + "-wal"))
        }
    }

    // MARK: URLs and schema versions

    @Test func threeSlashesAreRelativeFourAbsolute() throws {
        #expect(try SQLiteResultBackend.path(fromURL: "db+sqlite:///relative/path.db", workingDirectory: "/srv/app")
            == "/srv/app/relative/path.db")
        #expect(try SQLiteResultBackend.path(fromURL: "db+sqlite:////absolute/path.db") == "/absolute/path.db")
        let inMemory = SQLiteResultBackendError.inMemory("db+sqlite://").description
        #expect(inMemory.contains("in-memory") && inMemory.contains("workers"))
    }

    static let unusableURLs: [(String, SQLiteResultBackendError)] = [
        ("redis://localhost", .notSQLiteURL("redis://localhost")),
        ("db+sqlite://", .inMemory("db+sqlite://")),
        ("db+sqlite:///", .inMemory("db+sqlite:///")),
        ("db+sqlite:///:memory:", .inMemory("db+sqlite:///:memory:")),
        ("db+sqlite://localhost/results.db", .hostGiven(url: "db+sqlite://localhost/results.db", host: "localhost")),
        ("db+sqlite:///results.db?timeout=10", .queryGiven(url: "db+sqlite:///results.db?timeout=10", query: "timeout=10")),
    ]

    @Test(arguments: unusableURLs)
    func unusableURLsAreRefused(url: String, expected: SQLiteResultBackendError) {
        #expect(throws: expected) { _ = try SQLiteResultBackend(url: url) }
    }

    @Test func aMissingDirectoryIsNamed() {
        let error = #expect(throws: SQLiteError.self) {
            _ = try SQLiteResultBackend(url: "db+sqlite:////no-such-dir-\(UUID().uuidString)/results.db")
        }
        #expect(error?.description.contains("directory exist") == true)
    }

    @Test func aNewerSchemaIsRefused() async throws {
        try await TemporaryResultStore.with { store in
            let database = try SQLiteDatabase(path: store.path)
            let newer = SQLiteResultSchema.version + 1
            try database.execute("PRAGMA user_version = \(newer)")
            database.close()
            #expect(throws: SQLiteResultBackendError.newerSchema(path: store.path, found: newer,
                                                                 supported: SQLiteResultSchema.version)) {
                _ = try store.open()
            }
        }
    }

    /// A version 1 file (results only) gains the chord tables and keeps its results.
    @Test func aVersionOneFileIsUpgradedInPlace() async throws {
        try await TemporaryResultStore.with { store in
            let database = try SQLiteDatabase(path: store.path)
            try database.execute("""
                CREATE TABLE celeriac_taskmeta (task_id TEXT PRIMARY KEY, status TEXT NOT NULL, meta TEXT NOT NULL,
                    date_done REAL, updated_at REAL NOT NULL);
                INSERT INTO celeriac_taskmeta VALUES ('old', 'SUCCESS',
                    '{"task_id": "old", "status": "SUCCESS", "result": 7, "traceback": null, "children": [], "date_done": null}', NULL, 0);
                PRAGMA user_version = 1;
                """)
            database.close()
            let backend = try store.open()
            #expect(try await backend.meta(for: "old")?.result == 7)
            try await backend.setChordSize(groupID: "g", size: 1)
            let join = try await backend.storeChordPart(ResultMeta(taskID: "t", status: .success, result: 3), groupID: "g", groupIndex: 0)
            #expect(join?.parts.map(\.result) == [3])
            await backend.close()
        }
    }

    @Test func savedGroupsAreReadBackInOrder() async throws {
        try await TemporaryResultStore.with { store in
            let backend = try store.open()
            let group = GroupResult(id: "g", results: ["b", "a", "c"].map { AsyncResult(id: $0, backend: backend) })
            try await backend.saveGroup(group)
            #expect(try await backend.restoreGroup("g") == ["b", "a", "c"])
            #expect(try await backend.restoreGroup("nope") == nil)
            await backend.close()
        }
    }

    /// Parts are counted once per task however often a redelivered task reports, come back
    /// in header order, and only the part that completes the chord gets them.
    @Test func chordPartsAreCountedOncePerTaskAndJoinedInHeaderOrder() async throws {
        try await TemporaryResultStore.with { store in
            let backend = try store.open()
            try await backend.setChordSize(groupID: "g", size: 3)
            func part(_ id: String, _ index: Int, _ result: JSONValue) async throws -> ChordJoin? {
                try await backend.storeChordPart(ResultMeta(taskID: id, status: .success, result: result), groupID: "g", groupIndex: index)
            }
            #expect(try await part("c", 2, 30) == nil)
            #expect(try await part("a", 0, 10) == nil)
            #expect(try await part("a", 0, 10) == nil, "a redelivered task is not a second part")
            let join = try #require(try await part("b", 1, 20))
            #expect(join.parts.map(\.taskID) == ["a", "b", "c"] && join.bodyArgument() == .success([10, 20, 30]))
            #expect(try await backend.meta(for: "b")?.result == 20, "the part's result is stored with it")
            #expect(try await part("c", 2, 30) == nil, "a part stored again after the join (its ack was lost) does not fire the body twice")
            try await backend.forgetChord(groupID: "g")
            #expect(try await part("d", 3, 40) == nil, "a forgotten chord is never completed again")
            await backend.close()
        }
    }
}
