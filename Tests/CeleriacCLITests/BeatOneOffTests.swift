import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// One-off entries (django-celery-beat's `one_off`) with real processes: sent once, then off
/// for good — in the schedule file and in the database store, and after the beat is
/// stopped and started again on the same store.
extension BeatTests {
    /// `once`, a one-off every second, beside `tick`, a plain every-second entry whose sends
    /// show the beat went on looking; both to a queue nobody consumes, so the queue itself
    /// holds every message the beats sent.
    static func oneOffConfiguration(broker: String, queue: String, in directory: String) throws -> String {
        try writeConfiguration(broker: broker, in: directory,
                               everySecond("once", args: [1, 1], queue: queue, extra: "one_off = true"),
                               everySecond("tick", args: [2, 3], queue: queue))
    }

    /// Runs a beat on `store` (extra arguments), restarts it, and returns the two logs: the
    /// first until `once` ran and `tick` ran three times after it, the second until `tick`
    /// ran three times. `restart` stops the first (SIGKILL or a warm stop).
    static func runOneOffAcrossARestart(broker: String, directory: String, queue: String, extra: [String],
                                        restart: (BackgroundProcess, String) async throws -> Void) async throws -> (String, String) {
        let config = try oneOffConfiguration(broker: broker, queue: queue, in: directory)
        let schedule = directory + "/schedule.json"
        let (firstLog, secondLog) = (directory + "/beat-1.log", directory + "/beat-2.log")
        let first = try startBeat(config: config, schedule: schedule, log: firstLog, pidFile: directory + "/beat-1.pid", extra: extra)
        try await waitForSends(firstLog, entry: "once", count: 1)
        try await waitForSends(firstLog, entry: "tick", count: sends(in: [firstLog], entry: "tick").count + 3)
        #expect(sends(in: [firstLog], entry: "once").count == 1, "a one-off ran again: \(sends(in: [firstLog], entry: "once"))")
        try await restart(first, directory + "/beat-1.pid")

        let second = try startBeat(config: config, schedule: schedule, log: secondLog, pidFile: directory + "/beat-2.pid", extra: extra)
        defer { second.stop() }
        // The restarted beat reads the entry back as off, then goes on with the rest.
        _ = try await WorkerInteropTests.waitForLog(secondLog, toContain: "beat: once → demo.add, every 1 s (disabled)")
        try await waitForSends(secondLog, entry: "tick", count: 3)
        #expect(sends(in: [secondLog], entry: "once").isEmpty, "a one-off ran again after a restart: \(sends(in: [secondLog], entry: "once"))")
        return (firstLog, secondLog)
    }

    /// Every message in `queue`, from the queue itself: exactly one of the one-off's.
    static func expectOneOffSentOnce(broker: String, queue: String, logs: [String]) async throws {
        let tap = try await TaskTap(broker: broker, queue: queue)
        defer { tap.close() }
        for _ in sends(in: logs, entry: "tick") { _ = try await tap.waitFor(args: [2, 3]) }
        _ = try await tap.waitFor(args: [1, 1])
        // One publisher at a time on one queue, delivered in order: with every tick in, any
        // second one-off message, sent before the last tick, is in too — one look suffices.
        await #expect(throws: (any Error).self, "the queue holds a second message of the one-off") {
            _ = try await tap.waitFor(args: [1, 1], timeout: 0.1)
        }
    }

    @Test func aOneOffEntryRunsOnceAlsoAcrossAKillWithTheScheduleFile() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let queue = "beat-once-\(UUID().uuidString.prefix(8).lowercased())"
            let (firstLog, secondLog) = try await Self.runOneOffAcrossARestart(
                broker: broker, directory: directory, queue: queue, extra: []
            ) { first, pidFile in
                kill(try await Self.pid(in: pidFile), SIGKILL)
                first.stop()
            }
            let saved = try JSONValue(parsing: Data(contentsOf: URL(fileURLWithPath: directory + "/schedule.json")))
            #expect(saved["entries"]?["once"]?["enabled"] == false, "\(saved)")
            #expect(saved["entries"]?["once"]?["totalRunCount"]?.intValue == 1, "\(saved)")
            try await Self.expectOneOffSentOnce(broker: broker, queue: queue, logs: [firstLog, secondLog])
        }
    }

    @Test func aOneOffEntryRunsOnceAlsoAcrossARestartWithTheDatabaseStore() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let queue = "beat-once-db-\(UUID().uuidString.prefix(8).lowercased())"
            let database = directory + "/beat.db"
            let (firstLog, secondLog) = try await Self.runOneOffAcrossARestart(
                broker: broker, directory: directory, queue: queue, extra: ["--scheduler", "db", "--db", database]
            ) { first, _ in
                first.stop()  // a warm stop: the row says off before the beat exits
            }
            let listed = try await Self.beatCommand(["list", "--db", database, "--json"]).stdout
            let entries = try listed.split(separator: "\n").map { try JSONValue(parsing: String($0)) }
            let once = try #require(entries.first { $0["name"] == "once" }, "\(listed)")
            #expect(once["enabled"] == false && once["one_off"] == true, "\(listed)")
            #expect(once["total_run_count"]?.intValue == 1, "\(listed)")
            try await Self.expectOneOffSentOnce(broker: broker, queue: queue, logs: [firstLog, secondLog])
        }
    }
}
