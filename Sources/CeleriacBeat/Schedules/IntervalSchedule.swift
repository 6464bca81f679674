import Foundation

/// Celery's `schedule(run_every)`: every so many seconds after the last run. With
/// `relative`, runs fall on the interval's own grid of the app's local clock (whole minutes
/// for a minute, whole hours for an hour, local midnights for a day), as Celery's
/// `relative=True` rounds them.
public struct IntervalSchedule: Sendable, Hashable {
    public let seconds: Double
    public let relative: Bool

    public init(seconds: Double, relative: Bool = false) throws(IntervalScheduleError) {
        guard seconds.isFinite, seconds > 0 else { throw .notPositive(seconds) }
        self.seconds = seconds
        self.relative = relative
    }

    /// Celery's `schedule(timedelta(...))`: `IntervalSchedule(.seconds(30))`, `IntervalSchedule(.seconds(3_600), relative: true)`.
    public init(_ every: Duration, relative: Bool = false) throws(IntervalScheduleError) {
        let (whole, attoseconds) = every.components
        try self.init(seconds: Double(whole) + Double(attoseconds) / 1e18, relative: relative)
    }

    /// The next run in UTC (the app's default time zone).
    public func nextRun(after last: Date) -> Date {
        nextRun(after: last, in: TimeZone(identifier: "UTC")!)
    }

    /// The next run after `last`; a relative interval rounds on the local clock of `timeZone`.
    public func nextRun(after last: Date, in timeZone: TimeZone) -> Date {
        let next = last.addingTimeInterval(seconds)
        guard relative else { return next }
        // Below a minute Celery's delta_resolution keeps the time, less its microseconds.
        guard seconds >= 60 else { return Date(timeIntervalSince1970: next.timeIntervalSince1970.rounded(.down)) }
        return Self.relativeDeadline(start: last, seconds: seconds, in: timeZone)
    }

    /// Celery 5.7's `celery.utils.time.remaining(..., relative=True)`: the deadline is the last
    /// local boundary (minute, hour or midnight, per `delta_resolution`) at or before
    /// `start + interval`, never at or before `start`; day intervals add local calendar days.
    /// Local times are handled as "wall seconds" (the local date and time read as if UTC), so
    /// rounding is plain arithmetic; a wall time maps back to one, two (fall-back) or, in a
    /// spring-forward gap, no instants — then it moves forward as dateutil's resolve_imaginary does.
    static func relativeDeadline(start: Date, seconds: Double, in zone: TimeZone) -> Date {
        let startWall = wall(start, zone)
        if seconds >= 86_400 {
            let endWall = startWall + seconds
            let midnight = (endWall / 86_400).rounded(.down) * 86_400
            return instants(ofWall: midnight, zone).filter { $0 > start }.min()
                ?? instants(ofWall: endWall, zone).first!
        }
        let unit: Double = seconds >= 3_600 ? 3_600 : 60
        func rounded(_ wall: Double) -> Double { (wall / unit).rounded(.down) * unit }
        let end = start.addingTimeInterval(seconds)
        let endWall = wall(end, zone)
        var candidates = instants(ofWall: rounded(endWall), zone)
        var deadline = candidates.filter { $0 <= end }.max() ?? candidates.min()!
        if deadline <= start {
            // A rollback of part of an hour can put the boundary before the start.
            candidates += instants(ofWall: rounded(endWall + unit), zone)
            candidates += instants(ofWall: rounded(startWall + seconds), zone)
            let future = candidates.filter { $0 > start }
            deadline = future.filter { $0 <= end }.max() ?? future.min() ?? end
        }
        return deadline
    }

    /// The local date and time of `date` in `zone`, as seconds since 1970-01-01 00:00 local.
    private static func wall(_ date: Date, _ zone: TimeZone) -> Double {
        date.timeIntervalSince1970 + Double(zone.secondsFromGMT(for: date))
    }

    /// The instants whose local time in `zone` is `wall`, earliest first (Python's fold 0, then
    /// fold 1); a time skipped by a spring-forward maps to the instant the offset before it gives.
    private static func instants(ofWall wall: Double, _ zone: TimeZone) -> [Date] {
        func offset(at instant: Double) -> Double { Double(zone.secondsFromGMT(for: Date(timeIntervalSince1970: instant))) }
        let offsets = Set([wall - 86_400, wall, wall + 86_400].map(offset(at:)))
        let found = offsets.map { wall - $0 }.filter { offset(at: $0) == wall - $0 }.sorted()
        if !found.isEmpty { return found.map(Date.init(timeIntervalSince1970:)) }
        return [Date(timeIntervalSince1970: wall - offset(at: wall - 86_400))]
    }
}

public enum IntervalScheduleError: Error, Sendable, Hashable, CustomStringConvertible {
    case notPositive(Double)

    public var description: String {
        switch self {
        case .notPositive(let value): return "an interval must be a number of seconds above 0, got \(value)"
        }
    }
}
