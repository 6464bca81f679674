import CeleriacBeat
import Foundation
import Testing

/// Crontab fields as Celery's `crontab_parser` reads them, and next runs against a table of
/// expected times: month ends, leap days, Celery's day-of-month AND day-of-week, and the
/// real daylight-saving transitions of 2026 in Berlin and New York.
@Suite struct CrontabTests {
    static func time(_ text: String) -> Date { ISO8601DateFormatter().date(from: text)! }
    static let utc = TimeZone(identifier: "UTC")!
    static let berlin = TimeZone(identifier: "Europe/Berlin")!
    static let newYork = TimeZone(identifier: "America/New_York")!

    @Test(arguments: [
        ("minute", "*/15", [0, 15, 30, 45]),
        ("minute", "1,13,30-45,50-59/2", [1, 13] + Array(30...45) + [50, 52, 54, 56, 58]),
        ("hour", "0,8-17/2", [0, 8, 10, 12, 14, 16]),
        ("day_of_month", "*/3", Array(stride(from: 1, through: 31, by: 3))),
        ("month_of_year", "2-12/2", [2, 4, 6, 8, 10, 12]),
        ("day_of_week", "fri-mon", [0, 1, 5, 6]),
        ("day_of_week", "sunday,Wed", [0, 3]),
        ("month_of_year", "december", [12]),
    ])
    func fieldsExpandAsCelerysParser(field: String, spec: String, expected: [Int]) throws {
        switch field {
        case "minute": #expect(try Crontab(minute: spec).minutes == expected)
        case "hour": #expect(try Crontab(hour: spec).hours == expected)
        case "day_of_month": #expect(try Crontab(dayOfMonth: spec).daysOfMonth == expected)
        case "month_of_year": #expect(try Crontab(monthOfYear: spec).monthsOfYear == expected)
        default: #expect(try Crontab(dayOfWeek: spec).daysOfWeek == expected)
        }
    }

    @Test(arguments: [
        ("60 * * * *", "minute: 60 is outside 0–59"),
        ("*/0 * * * *", "a step goes after"),
        ("-5 * * * *", "negative"),
        ("0 0 * * funday", "neither a number nor a day name"),
        ("0,,1 * * * *", "empty part"),
        ("0 0 30 2 *", "never runs"),
        ("0 0 * *", "has 4 fields; a crontab has five"),
    ])
    func badExpressionsAreRefusedWithTheReason(expression: String, reason: String) {
        #expect { try Crontab(expression: expression) } throws: { "\($0)".contains(reason) }
    }

    @Test(arguments: [
        ("*/15 * * * *", "UTC", "2026-11-26T10:07:30Z", "2026-11-26T10:15:00Z"),
        ("0 0 * * *", "UTC", "2026-11-26T00:00:00Z", "2026-11-27T00:00:00Z"),
        ("30 7 * * mon-fri", "UTC", "2026-11-27T08:00:00Z", "2026-11-30T07:30:00Z"),
        ("0 12 31 * *", "UTC", "2026-04-01T00:00:00Z", "2026-05-31T12:00:00Z"),
        ("0 0 29 2 *", "UTC", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
        ("0 9 1-7 * mon", "UTC", "2026-11-26T00:00:00Z", "2026-12-07T09:00:00Z"),
        ("0 0 1 jan,jul *", "UTC", "2026-02-01T00:00:00Z", "2026-07-01T00:00:00Z"),
        ("59 23 28-31 2 *", "UTC", "2027-02-28T23:59:00Z", "2028-02-28T23:59:00Z"),
        ("30 7 * * *", "Europe/Berlin", "2026-11-26T07:00:00Z", "2026-11-27T06:30:00Z"),
        // Spring forward in Berlin, 2026-03-29 02:00 CET → 03:00 CEST (01:00 UTC): 02:30
        // does not exist, so it runs once, as the clocks jump; the next day as usual.
        ("30 2 * * *", "Europe/Berlin", "2026-03-28T23:00:00Z", "2026-03-29T01:00:00Z"),
        ("30 2 * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-30T00:30:00Z"),
        ("0 * * * *", "Europe/Berlin", "2026-03-29T00:30:00Z", "2026-03-29T01:00:00Z"),
        ("0 * * * *", "Europe/Berlin", "2026-03-29T01:00:00Z", "2026-03-29T02:00:00Z"),
        // Fall back in Berlin, 2026-10-25 03:00 CEST → 02:00 CET (01:00 UTC): 02:30 happens
        // twice; a fixed 02:30 runs the first time only, an hourly job both times.
        ("30 2 * * *", "Europe/Berlin", "2026-10-24T22:00:00Z", "2026-10-25T00:30:00Z"),
        ("30 2 * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"),
        ("30 * * * *", "Europe/Berlin", "2026-10-25T00:30:00Z", "2026-10-25T01:30:00Z"),
        // Spring forward in New York, 2026-03-08 02:00 EST → 03:00 EDT (07:00 UTC).
        ("15 2 * * *", "America/New_York", "2026-03-08T05:00:00Z", "2026-03-08T07:00:00Z"),
        ("0 9 * * *", "America/New_York", "2026-11-01T12:00:00Z", "2026-11-01T14:00:00Z"),
    ])
    func nextRunsMatchTheTable(expression: String, zone: String, after: String, expected: String) throws {
        let crontab = try Crontab(expression: expression)
        #expect(crontab.nextRun(after: Self.time(after), in: TimeZone(identifier: zone)!) == Self.time(expected))
    }

    /// A whole spring-forward and fall-back day, minute by minute: every run is after the last
    /// and none repeats.
    @Test func runsAcrossATransitionDayNeverRepeatOrGoBack() throws {
        for (expression, start) in [("*/10 * * * *", "2026-03-28T22:00:00Z"), ("*/10 * * * *", "2026-10-24T22:00:00Z"),
                                    ("30 2 * * *", "2026-10-24T00:00:00Z")] {
            let crontab = try Crontab(expression: expression)
            var last = Self.time(start)
            var runs: [Date] = []
            while last < Self.time(start).addingTimeInterval(3 * 86_400), let next = crontab.nextRun(after: last, in: Self.berlin) {
                runs.append(next)
                last = next
            }
            #expect(Set(runs).count == runs.count && runs == runs.sorted(), "\(expression)")
        }
    }

    @Test func theScheduleReadsInWords() throws {
        #expect(try Crontab(expression: "30 7 * * mon-fri").words == "at 07:30 on mon-fri")
        #expect(try Crontab(expression: "*/15 * * * *").words == "at minute */15 of every hour")
        #expect(try Crontab(expression: "* * * * *").words == "every minute")
        #expect(try Crontab(expression: "0 0 1 jan *").words == "at 00:00 on day 1 in jan")
        #expect(try Crontab(expression: "0,30 8-17 * * *").words == "cron 0,30 8-17 * * *")
    }
}
