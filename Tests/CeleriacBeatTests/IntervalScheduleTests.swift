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

    /// Celery rounds a relative interval on the app time zone's local clock
    /// (`delta_resolution` of the local datetime), not on UTC. Expected values were made with
    /// Celery 5.7.0 itself: for each (zone, local start, seconds),
    /// `start + celery.utils.time.remaining(start, timedelta(seconds=s), now=start, relative=True)`
    /// with `start` the epoch second shown as a `ZoneInfo(zone)` datetime and the sum taken in UTC
    /// (`start.astimezone(timezone.utc) + …`, as aware datetimes add wall time), printed as epoch seconds.
    @Test(arguments: [
        // Asia/Kolkata (+05:30): an hour's boundary is :00 local, which is :30 UTC.
        ("Asia/Kolkata", 1_773_118_200.0, 3_600.0, 1_773_120_600.0),   // 03-10 10:20 → 11:00 IST (05:30Z)
        ("Asia/Kolkata", 1_773_166_530.0, 3_600.0, 1_773_167_400.0),   // 03-10 23:45:30 → 03-11 00:00 IST
        // A day's boundary is local midnight, 18:30 UTC the day before.
        ("Asia/Kolkata", 1_773_118_200.0, 86_400.0, 1_773_167_400.0),  // 03-10 10:20 → 03-11 00:00 IST (03-10 18:30Z)
        ("Asia/Kolkata", 1_773_166_530.0, 86_400.0, 1_773_167_400.0),  // 03-10 23:45:30 → 03-11 00:00 IST
        ("Asia/Kolkata", 1_773_118_200.0, 172_800.0, 1_773_253_800.0), // 2 days: 03-10 10:20 → 03-12 00:00 IST
        // Europe/Berlin on its 2026 transition days.
        ("Europe/Berlin", 1_774_744_200.0, 3_600.0, 1_774_746_000.0),  // 03-29 01:30 CET → 03:00 CEST (01:00Z)
        ("Europe/Berlin", 1_774_688_400.0, 86_400.0, 1_774_738_800.0), // 03-28 10:00 CET → 03-29 00:00 CET
        ("Europe/Berlin", 1_792_888_200.0, 3_600.0, 1_792_890_000.0),  // 10-25 02:30 CEST → 02:00 CET, the second 02:00 (01:00Z)
        ("Europe/Berlin", 1_792_836_000.0, 86_400.0, 1_792_879_200.0), // 10-24 12:00 CEST → 10-25 00:00 CEST
        // Australia/Lord_Howe turns back half an hour on 2026-04-05 (02:00 +11 → 01:30 +10:30).
        ("Australia/Lord_Howe", 1_775_313_600.0, 3_600.0, 1_775_316_600.0), // 01:40 +11 → 02:00 +10:30
        ("Australia/Lord_Howe", 1_775_315_400.0, 3_600.0, 1_775_316_600.0), // the second 01:40 → 02:00 +10:30
        ("Australia/Lord_Howe", 1_775_313_600.0, 86_400.0, 1_775_395_800.0), // → 04-06 00:00 +10:30
    ])
    func relativeRunsFallOnTheLocalClockAsCelerys(zone: String, start: Double, seconds: Double, expected: Double) throws {
        let interval = try IntervalSchedule(seconds: seconds, relative: true)
        let next = BeatSchedule.interval(interval).nextRun(after: Date(timeIntervalSince1970: start), in: TimeZone(identifier: zone)!)
        #expect(next?.timeIntervalSince1970 == expected)
    }

    @Test func aDurationIsAnInterval() throws {
        #expect(try IntervalSchedule(.seconds(30)) == IntervalSchedule(seconds: 30))
        #expect(try IntervalSchedule(.milliseconds(1_500)).seconds == 1.5)
        #expect(try IntervalSchedule(.seconds(3_600), relative: true) == IntervalSchedule(seconds: 3_600, relative: true))
        #expect(throws: IntervalScheduleError.notPositive(0)) { try IntervalSchedule(.zero) }
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
