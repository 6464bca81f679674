import CeleriacBeat
import Foundation
import Testing

/// Runs missed while no beat could send them, by each catch-up rule, on fixed dates: once
/// (Celery's, the default), skip, and replay N — for an interval and for a crontab.
@Suite struct DueEntriesCatchUpTests {
    static let utc = TimeZone(identifier: "UTC")!
    /// 2027-01-15 10:20:00 UTC, a Friday.
    static let now = at("2027-01-15T10:20:00Z")

    /// "2027-01-15T10:20:00.3Z": fractions added by hand (the formatter reads whole seconds).
    static func at(_ text: String) -> Date {
        let parts = text.dropLast().split(separator: ".")
        let whole = ISO8601DateFormatter().date(from: parts[0] + "Z")!
        return whole.addingTimeInterval(parts.count > 1 ? Double("0." + parts[1])! : 0)
    }

    static func every(_ seconds: Double, catchUp: CatchUp? = nil) throws -> PeriodicTask {
        PeriodicTask(name: "tick", task: "demo.noop", schedule: .interval(try IntervalSchedule(seconds: seconds)), catchUp: catchUp)
    }

    static func cron(_ expression: String, catchUp: CatchUp? = nil) throws -> PeriodicTask {
        PeriodicTask(name: "cron", task: "demo.noop", schedule: .crontab(try Crontab(expression: expression)), catchUp: catchUp)
    }

    @Test func onceIsTheDefaultForTheBeatAndForAnEntry() throws {
        #expect(DueEntries().catchUp == .once && CatchUp.default == .once)
        #expect(try Self.every(60).catchUp == nil, "an entry follows the beat's default unless it sets one")
    }

    /// Hourly, last run at 07:00, the beat back at 10:20: one run now, then 11:20.
    @Test func onceRunsTheMissedRunsOnceAndCountsFromNow() throws {
        var states = ["cron": PeriodicTaskState(lastRunAt: Self.at("2027-01-15T07:00:00Z"), totalRunCount: 3)]
        let (runs, wakeAt) = DueEntries(timeZone: Self.utc, maxInterval: 86_400).due([try Self.cron("0 * * * *")], states: &states, now: Self.now)
        #expect(runs == [DueEntries.Run(name: "cron", scheduledAt: Self.now)])
        #expect(wakeAt == Self.at("2027-01-15T11:00:00Z"))
    }

    /// Same downtime, skip: nothing now; the next due time is 11:00 — and at 11:00 it runs.
    @Test func skipDropsTheMissedRunsAndWaitsForTheNextDueTime() throws {
        let entry = try Self.cron("0 * * * *", catchUp: .skip)
        let due = DueEntries(timeZone: Self.utc, maxInterval: 86_400)
        var states = ["cron": PeriodicTaskState(lastRunAt: Self.at("2027-01-15T07:00:00Z"), totalRunCount: 3)]
        let started = due.due([entry], states: &states, now: Self.now)
        #expect(started.runs.isEmpty)
        #expect(started.wakeAt == Self.at("2027-01-15T11:00:00Z"))
        #expect(due.nextRun(of: entry, state: states["cron"]!, now: Self.now, previousLook: Self.now) == Self.at("2027-01-15T11:00:00Z"),
                "the heartbeat shows the next due time, not a skipped one")
        let eleven = due.due([entry], states: &states, now: Self.at("2027-01-15T11:00:00.2Z"), previousLook: Self.now)
        #expect(eleven.runs == [DueEntries.Run(name: "cron", scheduledAt: Self.at("2027-01-15T11:00:00Z"))])
    }

    /// An interval keeps its grid from the last run: last run 09:00:30, every 10 min, back at
    /// 10:20 → waits for 10:20:30, not 10:30.
    @Test func skipKeepsAnIntervalOnItsGrid() throws {
        var states = ["tick": PeriodicTaskState(lastRunAt: Self.at("2027-01-15T09:00:30Z"))]
        let (runs, wakeAt) = DueEntries(maxInterval: 86_400).due([try Self.every(600, catchUp: .skip)], states: &states, now: Self.now)
        #expect(runs.isEmpty && wakeAt == Self.at("2027-01-15T10:20:30Z"))
    }

    /// While the beat runs, a run due since its last look is on time and sent; one due before
    /// its last look (the send failed then: the broker was away) was missed and is skipped.
    @Test func skipSendsOnTimeRunsAndDropsThoseTheBrokerMissed() throws {
        let entry = try Self.every(60, catchUp: .skip)
        let lastRun = Self.at("2027-01-15T10:19:00Z")
        var states = ["tick": PeriodicTaskState(lastRunAt: lastRun)]
        let onTime = DueEntries(maxInterval: 86_400).due([entry], states: &states, now: Self.at("2027-01-15T10:20:00.3Z"),
                                      previousLook: Self.at("2027-01-15T10:19:00.1Z"))
        #expect(onTime.runs == [DueEntries.Run(name: "tick", scheduledAt: Self.now)])

        let afterOutage = DueEntries(maxInterval: 86_400).due([entry], states: &states, now: Self.at("2027-01-15T10:20:14Z"),
                                           previousLook: Self.at("2027-01-15T10:20:08Z"))
        #expect(afterOutage.runs.isEmpty, "10:20:00 was due at the look at 10:20:08, which could not send it")
        #expect(afterOutage.wakeAt == Self.at("2027-01-15T10:21:00Z"))
    }

    /// Every minute, last run 09:20, back at 10:20 (60 missed), replay 3: 10:18, 10:19,
    /// 10:20, oldest first, each at its own moment; then 10:21.
    @Test func replaySendsTheLatestNMissedRunsOldestFirst() throws {
        var states = ["tick": PeriodicTaskState(lastRunAt: Self.at("2027-01-15T09:20:00Z"))]
        let (runs, wakeAt) = DueEntries(maxInterval: 86_400).due([try Self.every(60, catchUp: .replay(3))], states: &states, now: Self.now)
        #expect(runs.map(\.scheduledAt) == ["10:18", "10:19", "10:20"].map { Self.at("2027-01-15T\($0):00Z") })
        #expect(wakeAt == Self.at("2027-01-15T10:21:00Z"))
    }

    /// A crontab every quarter hour, last run the evening before, replay 2: 10:00 and 10:15.
    /// Fewer missed than N: all of them.
    @Test func replayFindsACrontabsLatestRunsAfterALongStop() throws {
        let due = DueEntries(timeZone: Self.utc, maxInterval: 86_400)
        var states = ["cron": PeriodicTaskState(lastRunAt: Self.at("2027-01-14T18:00:00Z"))]
        let long = due.due([try Self.cron("*/15 * * * *", catchUp: .replay(2))], states: &states, now: Self.now)
        #expect(long.runs.map(\.scheduledAt) == [Self.at("2027-01-15T10:00:00Z"), Self.at("2027-01-15T10:15:00Z")])
        #expect(long.wakeAt == Self.at("2027-01-15T10:30:00Z"))

        states = ["cron": PeriodicTaskState(lastRunAt: Self.at("2027-01-15T09:45:00Z"))]
        let short = due.due([try Self.cron("*/15 * * * *", catchUp: .replay(5))], states: &states, now: Self.now)
        #expect(short.runs.map(\.scheduledAt) == ["10:00", "10:15"].map { Self.at("2027-01-15T\($0):00Z") })
    }

    /// The beat's default applies to entries without one; an entry's own rule wins.
    @Test func anEntrysRuleWinsOverTheBeatsDefault() throws {
        var states = ["tick": PeriodicTaskState(lastRunAt: Self.at("2027-01-15T09:20:00Z"))]
        let skipping = DueEntries(maxInterval: 86_400, catchUp: .skip)
        #expect(skipping.due([try Self.every(60)], states: &states, now: Self.now).runs.isEmpty)
        #expect(skipping.due([try Self.every(60, catchUp: .once)], states: &states, now: Self.now).runs
            == [DueEntries.Run(name: "tick", scheduledAt: Self.now)])
    }

    @Test func rulesReadAndWriteAsOneWord() throws {
        #expect(try CatchUp(spec: "once") == .once && CatchUp(spec: "SKIP") == .skip)
        #expect(try CatchUp(spec: "replay 3") == .replay(3) && CatchUp(spec: "replay:3") == .replay(3))
        for rule in [CatchUp.once, .skip, .replay(12)] { #expect(try CatchUp(spec: rule.spec) == rule) }
        for bad in ["", "twice", "replay", "replay 0", "replay -1", "replay 1001", "once 2"] {
            #expect { try CatchUp(spec: bad) } throws: { "\($0)".contains("once") && "\($0)".contains("replay N") }
        }
    }
}
