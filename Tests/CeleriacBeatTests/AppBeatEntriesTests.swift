import Celeriac
import CeleriacBeat
import Testing

/// What `celeriac beat -A APP` runs: `beat_schedule` and the app's own periodic tasks
/// together, and a name in both refused with both places named.
@Suite struct AppBeatEntriesTests {
    static let beatSchedule: [String: JSONValue] = [
        "report": ["task": "proj.report", "crontab": "30 7 * * mon-fri"],
        "add-every-10s": ["task": "demo.add", "schedule": 10, "args": [2, 3], "queue": "math"],
    ]

    @Test func theAppsPeriodicTasksJoinTheConfiguredOnes() throws {
        let app = App()
        try app.addPeriodicTask("cleanup", task: "proj.cleanup", args: [30], schedule: .crontab(try Crontab(expression: "0 3 * * *")))
        try app.periodicTasks.add(PeriodicTask(name: "ping", task: "proj.ping", schedule: .interval(try IntervalSchedule(seconds: 30)),
                                               priority: 3))
        let entries = try app.beatEntries(configured: Self.beatSchedule)
        #expect(entries.map(\.name) == ["add-every-10s", "cleanup", "ping", "report"])
        #expect(entries.first { $0.name == "cleanup" }?.args == [30])
        #expect(entries.first { $0.name == "ping" }?.priority == 3, "an entry added whole keeps its options")
        #expect(entries.first { $0.name == "add-every-10s" }?.queue == "math")
    }

    @Test func withoutCodeOrConfigurationThereIsNothing() throws {
        #expect(try App().beatEntries(configured: [:]).isEmpty)
        #expect(try App().beatEntries(configured: Self.beatSchedule).map(\.name) == ["add-every-10s", "report"])
    }

    @Test func aNameInBothPlacesIsRefusedWithTheFix() throws {
        let app = App()
        try app.addPeriodicTask("report", task: "proj.other_report", schedule: .interval(try IntervalSchedule(seconds: 60)))
        let error = try #require(throws: PeriodicTaskError.self) { try app.beatEntries(configured: Self.beatSchedule) }
        let text = "\(error)"
        #expect(text.contains("'report'") && text.contains("beat_schedule") && text.contains("app.addPeriodicTask")
                && text.contains("rename"), "\(text)")
    }

    /// A mistake in beat_schedule is reported as before, whatever the code adds.
    @Test func aBadConfiguredEntryIsStillNamed() throws {
        let app = App()
        try app.addPeriodicTask("cleanup", task: "proj.cleanup", schedule: .interval(try IntervalSchedule(seconds: 60)))
        let error = try #require(throws: PeriodicTaskError.self) {
            try app.beatEntries(configured: ["broken": ["task": "demo.add"]])
        }
        #expect("\(error)".contains("'broken'"))
    }
}
