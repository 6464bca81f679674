import Foundation

/// When a periodic task runs: one of Celery's three kinds of schedule.
public enum BeatSchedule: Sendable, Hashable {
    case interval(IntervalSchedule)
    case crontab(Crontab)
    case solar(SolarSchedule)

    /// An interval from a Swift `Duration`: `.every(.seconds(30))`, `.every(.seconds(3_600), relative: true)`.
    public static func every(_ duration: Duration, relative: Bool = false) throws(IntervalScheduleError) -> BeatSchedule {
        .interval(try IntervalSchedule(duration, relative: relative))
    }

    /// The first run strictly after `date`; crontabs and relative intervals count in `timeZone`.
    public func nextRun(after date: Date, in timeZone: TimeZone) -> Date? {
        switch self {
        case .interval(let interval): return interval.nextRun(after: date, in: timeZone)
        case .crontab(let crontab): return crontab.nextRun(after: date, in: timeZone)
        case .solar(let solar): return solar.nextRun(after: date)
        }
    }

    /// The schedule in words: "every 30 s", "at 07:30 on mon-fri", "sunset at 52.5 N, 13.4 E".
    public var words: String {
        switch self {
        case .interval(let interval): return "every " + Self.duration(interval.seconds) + (interval.relative ? " (on the clock)" : "")
        case .crontab(let crontab): return crontab.words
        case .solar(let solar):
            let latitude = String(format: "%.1f %@", abs(solar.latitude), solar.latitude >= 0 ? "N" : "S")
            let longitude = String(format: "%.1f %@", abs(solar.longitude), solar.longitude >= 0 ? "E" : "W")
            return "\(solar.event.words) at \(latitude), \(longitude)"
        }
    }

    static func duration(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        if Double(whole) != seconds { return String(format: "%g s", seconds) }
        for (unit, size) in [("d", 86_400), ("h", 3_600), ("min", 60)] where whole >= size && whole % size == 0 {
            return "\(whole / size) \(unit)"
        }
        return "\(whole) s"
    }
}

extension Crontab {
    /// "at 07:30 on mon-fri", "every minute", "at minute 0,30 of every hour", or the
    /// expression itself when words would be longer than it.
    public var words: String {
        let days = dayOfWeek.isEvery ? "" : " on \(dayOfWeek.spec)"
        let dates = (dayOfMonth.isEvery ? "" : " on day \(dayOfMonth.spec)") + (monthOfYear.isEvery ? "" : " in \(monthOfYear.spec)")
        let when: String
        if minute.isEvery, hour.isEvery {
            when = "every minute"
        } else if hour.isEvery {
            when = "at minute \(minute.spec) of every hour"
        } else if minute.sorted.count == 1, hour.sorted.count == 1 {
            when = String(format: "at %02d:%02d", hour.sorted[0], minute.sorted[0])
        } else {
            return "cron \(expression)"
        }
        return when + days + dates
    }
}
