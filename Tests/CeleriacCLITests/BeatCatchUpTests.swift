import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// Each catch-up rule with a real beat: a schedule file says every entry last ran an hour
/// ago (on a whole second), and the beat starts. `once` (the default, Celery's) sends one run
/// at once; `skip` sends nothing for the missed hour and runs at its next due time on its
/// grid; `replay 3` sends the three latest missed runs, each at its own due moment. Then
/// `celeriac beat add|edit --catch-up` on a database store, read back by `list --json`.
@Suite(.enabled(if: CeleriacBinary.amqpURL != nil && CeleriacBinary.managementURL != nil), .timeLimit(.minutes(2)))
struct BeatCatchUpTests {
    static func dues(_ log: String, entry: String) -> [(text: String, date: Date)] {
        BeatTests.sends(in: [log], entry: entry).compactMap { text in CeleryTime.parse(text).map { (text, $0) } }
    }

    @Test func eachRuleAfterAnHourDown() async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try BeatTests.directory()
            let queue = "beat-catch-up-\(UUID().uuidString.prefix(6).lowercased())"
            let config = directory + "/celeriac.toml"
            try """
                broker_url = "\(broker)"

                [beat_schedule.once-e]
                task = "demo.add"
                schedule = 1
                queue = "\(queue)"

                [beat_schedule.skip-e]
                task = "demo.add"
                schedule = 2
                catch_up = "skip"
                queue = "\(queue)"

                [beat_schedule.replay-e]
                task = "demo.add"
                schedule = 1
                catch_up = "replay 3"
                queue = "\(queue)"
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let lastRun = Date().timeIntervalSince1970.rounded(.down) - 3_600
            let states = ["once-e", "skip-e", "replay-e"].map { "\"\($0)\": {\"lastRunAt\": \(Int(lastRun)), \"totalRunCount\": 1}" }
            let schedule = directory + "/schedule.json"
            try "{\"version\": 1, \"entries\": {\(states.joined(separator: ", "))}}".write(toFile: schedule, atomically: true, encoding: .utf8)

            let log = directory + "/beat.log"
            let started = Date()
            let beat = try BeatTests.startBeat(config: config, schedule: schedule, log: log, pidFile: directory + "/beat.pid")
            defer { beat.stop() }
            try await BeatTests.waitForSends(log, entry: "skip-e", count: 1)
            try await BeatTests.waitForSends(log, entry: "replay-e", count: 4)
            try await BeatTests.waitForSends(log, entry: "once-e", count: 2)
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            #expect(text.contains("beat: skip-e → demo.add, every 2 s, missed runs are skipped"), "\(text)")
            #expect(text.contains("beat: replay-e → demo.add, every 1 s, up to 3 missed runs replayed"), "\(text)")

            // A loaded machine can stall the beat for seconds between looks; a look that late
            // is itself a catch-up, so the checks below hold for any stall, not a 1 s cadence.
            // once: one run for the hour, due when the beat first looked, off the old grid; then
            // never two runs within a period (the missed hour is not replayed).
            let once = Self.dues(log, entry: "once-e")
            let firstLook = once[0].date
            #expect(firstLook >= started && !once[0].text.contains(".000000+"), "\(once.map(\.text))")
            #expect(zip(once, once.dropFirst()).allSatisfy { $1.date.timeIntervalSince($0.date) > 0.999 }, "\(once.map(\.text))")

            // skip: nothing due by the first look; its first run is its next due time on its own
            // grid, or a later look's moment if the beat stalled past that time too.
            let skip = Self.dues(log, entry: "skip-e")
            let onSkipGrid = (skip[0].date.timeIntervalSince1970 - lastRun).truncatingRemainder(dividingBy: 2) == 0
            #expect(skip[0].date > firstLook && (onSkipGrid || once.contains { $0.text == skip[0].text }),
                    "\(skip.map(\.text)), once at \(once.map(\.text))")

            // replay 3: the three latest missed runs, oldest first, each at its own moment on the
            // old grid and due by the first look; every later run is on that grid too.
            let replay = Self.dues(log, entry: "replay-e")
            let replayed = replay.filter { $0.date <= firstLook }
            #expect(replayed.count == 3, "\(replay.map(\.text)), first look \(firstLook)")
            #expect(zip(replayed, replayed.dropFirst()).allSatisfy { abs($1.date.timeIntervalSince($0.date) - 1) < 0.001 },
                    "\(replay.map(\.text))")
            #expect(replay.allSatisfy { $0.text.contains(".000000+") }, "\(replay.map(\.text))")
            #expect(zip(replay, replay.dropFirst()).allSatisfy { $1.date > $0.date }, "\(replay.map(\.text))")
        }
    }

    @Test func addAndEditTakeARuleAndListShowsIt() async throws {
        let database = try BeatTests.directory() + "/beat.db"
        func listed() async throws -> JSONValue {
            let output = try await BeatTests.beatCommand(["list", "--db", database, "--json"]).stdout
            return try JSONValue(parsing: String(try #require(output.split(separator: "\n").first)))
        }
        _ = try await BeatTests.beatCommand(["add", "hourly", "--db", database, "--task", "demo.add", "--schedule", "cron 0 * * * *",
                                             "--catch-up", "skip"])
        #expect(try await listed()["catch_up"] == "skip")
        _ = try await BeatTests.beatCommand(["edit", "hourly", "--db", database, "--catch-up", "replay 5"])
        #expect(try await listed()["catch_up"] == "replay 5")
        _ = try await BeatTests.beatCommand(["edit", "hourly", "--db", database, "--catch-up", "default"])
        #expect(try await listed()["catch_up"] == nil, "back to the beat's default")
        let refused = try await CeleriacBinary.runDetached(["beat", "edit", "hourly", "--db", database, "--catch-up", "twice"])
        #expect(refused.status != 0 && refused.stderr.contains("--catch-up: catch-up 'twice': write once"), "\(refused.stderr)")
    }
}
