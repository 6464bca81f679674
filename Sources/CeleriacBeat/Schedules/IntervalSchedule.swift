import Foundation

/// Celery's `schedule(run_every)`: every so many seconds after the last run. With
/// `relative`, runs fall on the interval's own grid (whole minutes for a minute, whole
/// hours for an hour), as Celery's `relative=True` rounds them.
public struct IntervalSchedule: Sendable, Hashable {
    public let seconds: Double
    public let relative: Bool

    public init(seconds: Double, relative: Bool = false) throws(IntervalScheduleError) {
        guard seconds.isFinite, seconds > 0 else { throw .notPositive(seconds) }
        self.seconds = seconds
        self.relative = relative
    }

    public func nextRun(after last: Date) -> Date {
        let next = last.addingTimeInterval(seconds)
        guard relative else { return next }
        // Celery's delta_resolution: round down to the largest unit the interval spans.
        let resolution: Double = seconds >= 86_400 ? 86_400 : seconds >= 3_600 ? 3_600 : seconds >= 60 ? 60 : 1
        return Date(timeIntervalSince1970: (next.timeIntervalSince1970 / resolution).rounded(.down) * resolution)
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
