import Celeriac
import CeleriacBeat
import CeleriacTestSupport
import Foundation
import Testing

/// Periodic tasks defined in Swift (`app.addPeriodicTask`) beside `beat_schedule`, run by a
/// real beat service in this process on the test broker with a real schedule file — the
/// entries `celeriac beat -A APP` runs (the shipped demo app defines none in code, so the
/// binary cannot show it); and `celeriac beat enable` on a database store while beat runs.
extension BeatTests {
    @Test func periodicTasksFromCodeAndConfigurationAreSentTogether() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            var configuration = CeleriacConfiguration()
            configuration.brokerURL = broker
            let app = App(configuration)
            try app.addPeriodicTask("from-code", task: "demo.mul", args: [6, 7], schedule: .interval(try IntervalSchedule(seconds: 1)))
            let entries = try app.beatEntries(configured: [
                "from-toml": ["task": "demo.add", "schedule": 1, "args": [2, 3]],
            ])
            #expect(entries.map(\.name) == ["from-code", "from-toml"])
            let schedule = directory + "/schedule.json"
            let store = FileScheduleStore(path: schedule)
            let service = BeatService(app: app, entries: entries, store: store, timeZone: TimeZone(identifier: "UTC")!)
            let running = Task { try await service.run() }
            defer {
                running.cancel()
                Task { await app.close() }
            }
            // The schedule file is saved after each send: wait until it counts both entries.
            let deadline = ContinuousClock.now + .seconds(20)
            while (try? store.load()).map({ $0["from-code"]?.totalRunCount ?? 0 >= 1 && $0["from-toml"]?.totalRunCount ?? 0 >= 1 }) != true {
                try #require(ContinuousClock.now < deadline, "not both sent within 20 s: \((try? String(contentsOfFile: schedule, encoding: .utf8)) ?? "no schedule file")")
                try await Task.sleep(for: .milliseconds(50))  // polling a file the service writes
            }
            // Both on the default queue, which nobody else consumes: the messages are there.
            let tap = try await TaskTap(broker: broker, queue: "celery")
            defer { tap.close() }
            #expect(try await tap.waitFor(task: "demo.mul").args == [6, 7])
            #expect(try await tap.waitFor(task: "demo.add").args == [2, 3])
        }
    }

    /// disable, then enable, by the command line on the database file: the running beat
    /// stops sending, then sends again, with no restart.
    @Test func beatEnableTurnsADisabledEntryBackOnWhileBeatRuns() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let queue = "beat-enable-\(UUID().uuidString.prefix(8).lowercased())"
            let config = try Self.databaseConfiguration(broker: broker, queue: queue, in: directory)
            let database = directory + "/beat.db"
            let (beat, log) = try Self.startDatabaseBeat(config: config, database: database, directory: directory)
            defer { beat.stop() }
            try await Self.waitForSends(log, entry: "tick", count: 1)

            _ = try await Self.beatCommand(["disable", "tick", "--db", database])
            _ = try await WorkerInteropTests.waitForLog(log, toContain: "tick changed: demo.add, every 1 s (disabled)", timeout: 5)
            let whileOff = Self.sends(in: [log], entry: "tick").count
            // Counted before the command: the running beat may take the change in before the
            // command has even returned.
            let lines = ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").count
            let enable = try await Self.beatCommand(["enable", "tick", "--db", database])
            #expect(enable.stdout.contains("tick"), "\(enable.stdout)")
            _ = try await Self.waitForLine(log, containing: "tick changed: demo.add, every 1 s", after: lines)
            try await Self.waitForSends(log, entry: "tick", count: whileOff + 2)

            let listed = try await Self.beatCommand(["list", "--db", database, "--json"]).stdout
            let tick = try #require(try listed.split(separator: "\n").map { try JSONValue(parsing: String($0)) }.first { $0["name"] == "tick" })
            #expect(tick["enabled"] == nil, "enabled again (the table names only a disabled entry): \(listed)")
            #expect((tick["total_run_count"]?.intValue ?? 0) >= whileOff + 2, "\(listed)")
        }
    }

    /// `-A` on the binary: the shipped demo app is taken (its entries come from beat_schedule
    /// alone, since it adds none in code) and sends; an unknown app is refused with the known.
    @Test func theAppOptionTakesAKnownAppAndRefusesAnUnknownOne() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let config = try Self.configuration(broker: broker, pythonQueue: "nobody-\(UUID().uuidString.prefix(6))", in: directory)
            let refused = try await CeleriacBinary.runDetached(["beat", "-A", "nosuch", "--config", config, "-s", directory + "/s.json"])
            #expect(refused.status != 0)
            #expect(refused.stderr.contains("no app named 'nosuch'") && refused.stderr.contains("demo"), "\(refused.stderr)")

            let log = directory + "/beat.log"
            let beat = try Self.startBeat(config: config, schedule: directory + "/schedule.json", log: log, pidFile: directory + "/beat.pid",
                                          extra: ["-A", "demo"])
            defer { beat.stop() }
            try await Self.waitForSends(log, entry: "swift-add", count: 2)
            #expect(try String(contentsOfFile: log, encoding: .utf8).contains("2 configured entries"))
        }
    }
}

