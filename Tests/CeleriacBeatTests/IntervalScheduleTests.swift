import CeleriacBeat
import Foundation
import Testing

@Suite struct IntervalScheduleTests {
    /// Runs counted from the scheduled times, not from when each send happened, never drift:
    /// after 10,000 runs of every 30 s, each late by up to a second, the schedule is exactly
    /// 300,000 s on.
    @Test func tenThousandRunsDoNotDrift() throws {
        let every = try IntervalSchedule(seconds: 30)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var scheduled = start
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<10_000 {
            let sentAt = scheduled.addingTimeInterval(Double.random(in: 0..<1, using: &generator))
            #expect(sentAt >= scheduled)
            scheduled = every.nextRun(after: scheduled)
        }
        #expect(scheduled.timeIntervalSince(start) == 300_000)
    }

    @Test func relativeRunsFallOnTheClock() throws {
        let minutely = try IntervalSchedule(seconds: 60, relative: true)
        #expect(minutely.nextRun(after: Date(timeIntervalSince1970: 1_800_000_037)) == Date(timeIntervalSince1970: 1_800_000_060))
        let hourly = try IntervalSchedule(seconds: 7_200, relative: true)
        #expect(hourly.nextRun(after: Date(timeIntervalSince1970: 1_800_000_037)).timeIntervalSince1970.truncatingRemainder(dividingBy: 3_600) == 0)
    }

    @Test func wordsAndBadIntervals() throws {
        #expect(BeatSchedule.interval(try IntervalSchedule(seconds: 30)).words == "every 30 s")
        #expect(BeatSchedule.interval(try IntervalSchedule(seconds: 300)).words == "every 5 min")
        #expect(BeatSchedule.interval(try IntervalSchedule(seconds: 7_200)).words == "every 2 h")
        #expect(BeatSchedule.interval(try IntervalSchedule(seconds: 0.5)).words == "every 0.5 s")
        #expect(throws: IntervalScheduleError.notPositive(0)) { try IntervalSchedule(seconds: 0) }
        #expect(throws: IntervalScheduleError.notPositive(-1)) { try IntervalSchedule(seconds: -1) }
    }
}
