import Foundation

/// Celery's `crontab`: runs at every minute that matches all five fields, in the schedule's
/// time zone. As in Celery (and unlike cron(8)), day of month and day of week must both
/// match: `day_of_week=1, day_of_month="1-7"` is the first Monday of each month.
///
/// Daylight saving time, explicitly: a wall-clock time that does not exist on the day the
/// clocks go forward runs once, at the moment they jump; a time that happens twice on the
/// day they go back runs once, the first time — unless the hour field is `*`, in which case
/// the repeated hour runs again, as an hourly job should.
public struct Crontab: Sendable, Hashable {
    let minute: CrontabField
    let hour: CrontabField
    let dayOfWeek: CrontabField
    let dayOfMonth: CrontabField
    let monthOfYear: CrontabField

    public init(minute: String = "*", hour: String = "*", dayOfWeek: String = "*", dayOfMonth: String = "*",
                monthOfYear: String = "*") throws(CrontabError) {
        self.minute = try CrontabField(minute, kind: .minute)
        self.hour = try CrontabField(hour, kind: .hour)
        self.dayOfWeek = try CrontabField(dayOfWeek, kind: .dayOfWeek)
        self.dayOfMonth = try CrontabField(dayOfMonth, kind: .dayOfMonth)
        self.monthOfYear = try CrontabField(monthOfYear, kind: .monthOfYear)
        guard canEverRun else { throw .neverRuns(expression) }
    }

    /// `"minute hour day-of-month month day-of-week"`, as `crontab.from_string` reads it.
    public init(expression: String) throws(CrontabError) {
        let fields = expression.split(whereSeparator: \.isWhitespace).map(String.init)
        guard fields.count == 5 else { throw .wrongFieldCount(expression: expression, found: fields.count) }
        try self.init(minute: fields[0], hour: fields[1], dayOfWeek: fields[4], dayOfMonth: fields[2], monthOfYear: fields[3])
    }

    /// Each field's values, in order: 0–59, 0–23, 0–6 (Sunday is 0), 1–31, 1–12.
    public var minutes: [Int] { minute.sorted }
    public var hours: [Int] { hour.sorted }
    public var daysOfWeek: [Int] { dayOfWeek.sorted }
    public var daysOfMonth: [Int] { dayOfMonth.sorted }
    public var monthsOfYear: [Int] { monthOfYear.sorted }

    /// The five fields as written, in cron's order.
    public var expression: String {
        [minute.spec, hour.spec, dayOfMonth.spec, monthOfYear.spec, dayOfWeek.spec].joined(separator: " ")
    }

    /// The first run strictly after `date`, or nil when none falls in the next eight years.
    public func nextRun(after date: Date, in timeZone: TimeZone) -> Date? {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var day = calendar.startOfDay(for: date)
        for _ in 0..<(366 * 8) {
            let parts = calendar.dateComponents([.year, .month, .day, .weekday], from: day)
            if let year = parts.year, let month = parts.month, let dayOfMonth = parts.day, let weekday = parts.weekday,
               matches(month: month, day: dayOfMonth, weekday: weekday - 1),
               let run = firstRun(year: year, month: month, day: dayOfMonth, after: date, timeZone: timeZone) {
                return run
            }
            guard let following = calendar.date(byAdding: .day, value: 1, to: day) else { return nil }
            day = following
        }
        return nil
    }

    func matches(month: Int, day: Int, weekday: Int) -> Bool {
        monthOfYear.values.contains(month) && dayOfMonth.values.contains(day) && dayOfWeek.values.contains(weekday)
    }

    /// The earliest matching moment on one local date that comes after `date`.
    private func firstRun(year: Int, month: Int, day: Int, after date: Date, timeZone: TimeZone) -> Date? {
        for hour in hour.sorted {
            for minute in minute.sorted {
                let wall = WallClock(year: year, month: month, day: day, hour: hour, minute: minute)
                for instant in wall.instants(in: timeZone, repeatedHourAgain: self.hour.isEvery) where instant > date {
                    return instant
                }
            }
        }
        return nil
    }

    /// Whether any date at all matches day of month, month and day of week together
    /// (e.g. 31 February never comes); checked over 28 years, a whole calendar cycle.
    private var canEverRun: Bool {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        for year in 2000..<2028 {
            for month in monthOfYear.sorted {
                for day in dayOfMonth.sorted {
                    guard let date = calendar.date(from: DateComponents(year: year, month: month, day: day)),
                          calendar.component(.day, from: date) == day else { continue }
                    if dayOfWeek.values.contains(calendar.component(.weekday, from: date) - 1) { return true }
                }
            }
        }
        return false
    }
}

/// A local date and time that may happen once, never (the clocks jumped over it) or twice
/// (they went back over it).
struct WallClock {
    var year, month, day, hour, minute: Int

    /// The moments this wall-clock time names: none is never returned — a skipped time maps
    /// to the moment of the jump — and the second of a repeated time only when asked.
    func instants(in timeZone: TimeZone, repeatedHourAgain: Bool) -> [Date] {
        var utc = Calendar(identifier: .gregorian)
        utc.timeZone = TimeZone(identifier: "UTC")!
        guard let asUTC = utc.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))
        else { return [] }
        // The offsets in force around this day: one, or two when the clocks change.
        let offsets = Set([-36, -12, 0, 12, 36].map { timeZone.secondsFromGMT(for: asUTC.addingTimeInterval(Double($0) * 3600)) })
        let found = offsets.map { asUTC.addingTimeInterval(-Double($0)) }
            .filter { Double(timeZone.secondsFromGMT(for: $0)) == -$0.timeIntervalSince(asUTC) }
            .sorted()
        if found.isEmpty {
            // In the gap: the moment the clocks jumped, which follows the earliest candidate.
            let earliest = offsets.map { asUTC.addingTimeInterval(-Double($0)) }.min()!
            return timeZone.nextDaylightSavingTimeTransition(after: earliest).map { [$0] } ?? []
        }
        return repeatedHourAgain ? Array(Set(found)).sorted() : [found[0]]
    }
}
