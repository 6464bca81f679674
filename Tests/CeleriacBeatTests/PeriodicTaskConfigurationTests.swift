@testable import Celeriac
import CeleriacBeat
import Foundation
import Testing

/// `beat_schedule` in celeriac.toml: the three kinds of schedule, the options, and a clear
/// error naming the entry for each mistake.
@Suite struct PeriodicTaskConfigurationTests {
    static func entries(_ toml: String) throws -> [PeriodicTask] {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("beat-\(UUID().uuidString).toml").path
        try toml.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try PeriodicTask.entries(from: CeleriacConfiguration.load(file: path, environment: [:]).beatSchedule)
    }

    @Test func theManPagesExampleReads() throws {
        let entries = try Self.entries("""
            [beat_schedule.add-every-10s]
            task = "demo.add"
            schedule = 10
            args = [2, 3]

            [beat_schedule.weekday-mornings]
            task = "reports.daily"
            crontab = "30 7 * * mon-fri"
            queue = "reports"

            [beat_schedule.lights-on]
            task = "home.lights"
            solar = "dusk_civil"
            latitude = 52.52
            longitude = 13.405
            expires = 600
            """)
        #expect(entries.map(\.name) == ["add-every-10s", "lights-on", "weekday-mornings"])
        #expect(entries[0].args == [2, 3] && entries[0].schedule.words == "every 10 s")
        #expect(entries[1].schedule.words == "civil dusk at 52.5 N, 13.4 E" && entries[1].expires == 600)
        #expect(entries[2].queue == "reports" && entries[2].schedule.words == "at 07:30 on mon-fri")
    }

    /// catch_up per entry; absent, the entry follows the beat's default (once).
    @Test func catchUpIsReadPerEntryAndWrittenBack() throws {
        let entries = try Self.entries("""
            [beat_schedule.hourly]
            task = "reports.hourly"
            crontab = "0 * * * *"
            catch_up = "replay 3"

            [beat_schedule.poll]
            task = "feeds.poll"
            schedule = 30
            catch_up = "skip"

            [beat_schedule.plain]
            task = "demo.add"
            schedule = 10
            """)
        #expect(entries.map(\.catchUp) == [.replay(3), nil, .skip])
        for entry in entries { #expect(try PeriodicTask(name: entry.name, table: entry.table) == entry) }
        #expect(entries[1].table["catch_up"] == nil)
    }

    /// `schedule` takes the duration spellings of the one-line spec (`celeriac beat add
    /// --schedule`), read by the same parser, as well as seconds.
    @Test func scheduleIsSecondsOrADuration() throws {
        let entries = try Self.entries("""
            [beat_schedule.a-seconds]
            task = "t"
            schedule = 30

            [beat_schedule.b-spaced]
            task = "t"
            schedule = "30 s"

            [beat_schedule.c-joined]
            task = "t"
            schedule = "90s"

            [beat_schedule.d-fraction]
            task = "t"
            schedule = "1.5 min"

            [beat_schedule.e-relative-flag]
            task = "t"
            schedule = "2 h"
            relative = true

            [beat_schedule.f-every-relative]
            task = "t"
            schedule = "every 1 d relative"
            """)
        #expect(entries.map(\.schedule) == [
            .interval(try IntervalSchedule(seconds: 30)), .interval(try IntervalSchedule(seconds: 30)),
            .interval(try IntervalSchedule(seconds: 90)), .interval(try IntervalSchedule(seconds: 90)),
            .interval(try IntervalSchedule(seconds: 7_200, relative: true)), .interval(try IntervalSchedule(seconds: 86_400, relative: true)),
        ])
        for entry in entries { #expect(try PeriodicTask(name: entry.name, table: entry.table) == entry) }
    }

    @Test(arguments: [
        ("[beat_schedule.x]\nschedule = 5", "beat_schedule entry 'x': it needs task"),
        ("[beat_schedule.x]\ntask = \"t\"", "give exactly one of schedule"),
        ("[beat_schedule.x]\ntask = \"t\"\nschedule = 5\ncrontab = \"* * * * *\"", "give exactly one of schedule"),
        ("[beat_schedule.x]\ntask = \"t\"\nschedule = 0", "above 0"),
        ("[beat_schedule.x]\ntask = \"t\"\nschedule = \"0 s\"", "above 0"),
        ("[beat_schedule.x]\ntask = \"t\"\nschedule = \"30 parsecs\"", "beat_schedule entry 'x': schedule '30 parsecs': an interval is a number and a unit"),
        ("[beat_schedule.x]\ntask = \"t\"\nschedule = \"cron * * * * *\"", "schedule is seconds (30) or a duration"),
        ("[beat_schedule.x]\ntask = \"t\"\ncrontab = \"61 * * * *\"", "minute: 61 is outside 0–59"),
        ("[beat_schedule.x]\ntask = \"t\"\nsolar = \"sunset\"", "latitude and longitude"),
        ("[beat_schedule.x]\ntask = \"t\"\nschedule = 5\nargs = 3", "args is a list"),
        ("[beat_schedule.x]\ntask = \"t\"\nschedule = 5\ncatch_up = \"twice\"", "beat_schedule entry 'x': catch-up 'twice': write once"),
        ("[beat_schedule.x]\ntask = \"t\"\nschedule = 5\ncatch_up = 3", "catch_up is a string"),
    ])
    func mistakesNameTheEntryAndTheFix(toml: String, message: String) {
        #expect { try Self.entries(toml) } throws: { "\($0)".contains(message) }
    }
}

@Suite struct AppPeriodicTasksTests {
    @Test func anAppKeepsItsOwnPeriodicTasksAndRefusesADuplicateName() throws {
        let app = App()
        try app.addPeriodicTask("cleanup", task: "proj.cleanup", schedule: .crontab(try Crontab(expression: "0 3 * * *")))
        try app.periodicTasks.add(PeriodicTask(name: "ping", task: "proj.ping", schedule: .interval(try IntervalSchedule(seconds: 30))))
        #expect(app.periodicTasks.all.map(\.name) == ["cleanup", "ping"])
        #expect(App().periodicTasks.all.isEmpty, "another app has its own")
        #expect(throws: PeriodicTaskError.self) {
            try app.addPeriodicTask("ping", task: "proj.other", schedule: .interval(try IntervalSchedule(seconds: 1)))
        }
    }

    /// Celery's `add_periodic_task(schedule, sig, **options)`: the options are arguments here
    /// too, and without them the entry is the one `PeriodicTask(name:task:schedule:)` makes.
    @Test func addPeriodicTaskTakesCelerysOptions() throws {
        let app = App()
        try app.addPeriodicTask("routed", task: "demo.add", args: [2, 3], schedule: .every(.seconds(30)),
                                queue: "periodic", exchange: "beat-ex", routingKey: "beat.routed", priority: 7,
                                expires: 25, oneOff: true, enabled: false, catchUp: .skip)
        try app.addPeriodicTask("plain", task: "demo.add", schedule: .every(.seconds(3_600), relative: true))
        let entries = Dictionary(uniqueKeysWithValues: app.periodicTasks.all.map { ($0.name, $0) })
        #expect(entries["routed"] == PeriodicTask(name: "routed", task: "demo.add", args: [2, 3],
                                                  schedule: .interval(try IntervalSchedule(seconds: 30)), queue: "periodic",
                                                  exchange: "beat-ex", routingKey: "beat.routed", priority: 7, expires: 25,
                                                  enabled: false, oneOff: true, catchUp: .skip))
        #expect(entries["plain"] == PeriodicTask(name: "plain", task: "demo.add",
                                                 schedule: .interval(try IntervalSchedule(seconds: 3_600, relative: true))))
        let sent = entries["routed"]!.sendOptions(sentAt: Date(timeIntervalSince1970: 1_800_000_000))
        #expect(sent.queue == "periodic" && sent.exchange == "beat-ex" && sent.routingKey == "beat.routed" && sent.priority == 7)
        #expect(sent.expires == Date(timeIntervalSince1970: 1_800_000_025))
    }
}
