import CeleriacBeat
import Foundation
import Testing

/// The beat's arithmetic on an injected clock: when entries fall due, catch-up after
/// downtime, and runs that stay on their grid however late each tick comes.
@Suite struct DueEntriesTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func every(_ seconds: Double, name: String = "tick") throws -> PeriodicTask {
        PeriodicTask(name: name, task: "demo.noop", schedule: .interval(try IntervalSchedule(seconds: seconds)))
    }

    /// 10,000 ticks, each up to a second late: every run is recorded at its scheduled moment,
    /// so the 10,000th falls exactly 300,000 s after the first check.
    @Test func tenThousandLateTicksKeepAnIntervalOnItsGrid() throws {
        let entries = [try Self.every(30)]
        let due = DueEntries()
        var states: [String: PeriodicTaskState] = [:]
        var now = Self.start
        var generator = SystemRandomNumberGenerator()
        var runs = 0
        var last: Date?
        while runs < 10_000 {
            let (found, wakeAt) = due.due(entries, states: &states, now: now)
            for run in found {
                states[run.name]?.lastRunAt = run.scheduledAt
                states[run.name]?.totalRunCount += 1
                runs += 1
                last = run.scheduledAt
            }
            now = wakeAt.addingTimeInterval(Double.random(in: 0..<1, using: &generator))
        }
        #expect(last == Self.start.addingTimeInterval(300_000))
        #expect(states["tick"]?.totalRunCount == 10_000)
    }

    @Test func aNewEntryCountsFromWhenItWasFirstSeen() throws {
        var states: [String: PeriodicTaskState] = [:]
        let (runs, wakeAt) = DueEntries().due([try Self.every(60)], states: &states, now: Self.start)
        #expect(runs.isEmpty && wakeAt == Self.start.addingTimeInterval(60))
        #expect(states["tick"]?.lastRunAt == Self.start)
    }

    /// Down for an hour: the entry runs once now, not sixty times, and counts on from now.
    @Test func missedRunsAreCaughtUpOnceAfterDowntime() throws {
        var states = ["tick": PeriodicTaskState(lastRunAt: Self.start.addingTimeInterval(-3_600), totalRunCount: 5)]
        let (runs, wakeAt) = DueEntries().due([try Self.every(60)], states: &states, now: Self.start)
        #expect(runs == [DueEntries.Run(name: "tick", scheduledAt: Self.start)])
        #expect(wakeAt == Self.start.addingTimeInterval(60))
    }

    @Test func disabledEntriesNeverRunAndTheWakeUpIsBounded() throws {
        var disabled = try Self.every(1, name: "off")
        disabled.enabled = false
        var states = ["off": PeriodicTaskState(lastRunAt: Self.start.addingTimeInterval(-100))]
        let nightly = PeriodicTask(name: "nightly", task: "demo.noop", schedule: .crontab(try Crontab(expression: "0 3 * * *")))
        let (runs, wakeAt) = DueEntries(maxInterval: 5).due([disabled, nightly], states: &states, now: Self.start)
        #expect(runs.isEmpty)
        #expect(wakeAt == Self.start.addingTimeInterval(5), "changes are looked for at least every max interval")
    }

    @Test func aCrontabIsDueAtItsMinuteAndNotBefore() throws {
        let minutely = PeriodicTask(name: "m", task: "demo.noop", schedule: .crontab(try Crontab(expression: "* * * * *")))
        let ten = Date(timeIntervalSince1970: 1_800_000_000 - 1_800_000_000.truncatingRemainder(dividingBy: 60))
        var states = ["m": PeriodicTaskState(lastRunAt: ten)]
        let early = DueEntries().due([minutely], states: &states, now: ten.addingTimeInterval(30))
        #expect(early.runs.isEmpty && early.wakeAt == ten.addingTimeInterval(60))
        let onTime = DueEntries().due([minutely], states: &states, now: ten.addingTimeInterval(60.2))
        #expect(onTime.runs.map(\.scheduledAt) == [ten.addingTimeInterval(60)])
    }
}
