import Celeriac
import CeleriacBeat
import Foundation
import Testing

/// `celeriac beat list`'s table: each entry's catch-up rule is a column, as in `--json`.
@Suite struct StoredScheduleListingTests {
    @Test func eachEntryShowsItsCatchUpRuleOrTheDefault() throws {
        let every = BeatSchedule.interval(try IntervalSchedule(seconds: 30))
        let schedule = StoredSchedule(entries: [
            PeriodicTask(name: "hourly", task: "reports.hourly", schedule: .crontab(try Crontab(expression: "0 * * * *")), catchUp: .replay(3)),
            PeriodicTask(name: "plain", task: "demo.add", args: [2, 3], schedule: every),
            PeriodicTask(name: "poll", task: "feeds.poll", schedule: every, enabled: false, catchUp: .skip),
        ], states: ["plain": PeriodicTaskState(lastRunAt: Date(timeIntervalSince1970: 0), totalRunCount: 4)])
        let rows = schedule.listingRows { _ in "1970-01-01 00:00:00" }
        let column = try #require(StoredSchedule.listingHeader.firstIndex(of: "CATCH-UP"))
        #expect(rows.map { $0[column] } == ["replay 3", "default", "skip"])
        #expect(rows.allSatisfy { $0.count == StoredSchedule.listingHeader.count })
        #expect(rows[1] == ["plain", "demo.add", "every 30 s", "[2, 3]", "yes", "default", "1970-01-01 00:00:00", "4"])
        #expect(rows[2][4] == "no" && rows[2][6] == "-" && rows[2][7] == "0")
    }
}
