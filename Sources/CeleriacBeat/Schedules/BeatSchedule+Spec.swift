import Foundation

/// A schedule as one line of text — what `celeriac beat add --schedule`, the dashboard's edit
/// form and the `beat_edit` remote-control command take, and what `spec` gives back:
///
///     every 30 s            every 1.5 min      every 1 h relative     (s, min, h, d; a bare number is seconds)
///     cron 30 7 * * mon-fri                                           (minute hour day-of-month month day-of-week)
///     solar sunset 52.5 13.4                                          (event latitude longitude)
extension BeatSchedule {
    public init(spec: String) throws(BeatScheduleSpecError) {
        let words = spec.split(whereSeparator: \.isWhitespace).map(String.init)
        guard let first = words.first?.lowercased() else { throw .empty }
        do {
            switch first {
            case "cron", "crontab":
                self = .crontab(try Crontab(expression: words.dropFirst().joined(separator: " ")))
            case "solar":
                guard words.count == 4, let latitude = Double(words[2]), let longitude = Double(words[3]) else {
                    throw BeatScheduleSpecError.invalid(spec, "solar takes an event, a latitude and a longitude, e.g. solar sunset 52.5 13.4")
                }
                self = .solar(try SolarSchedule(event: words[1].lowercased(), latitude: latitude, longitude: longitude))
            case "every":
                self = .interval(try Self.interval(Array(words.dropFirst()), spec: spec))
            default:
                // "30" or "30s" alone: seconds, as `schedule = 30` in celeriac.toml.
                if Double(first) != nil || Self.secondsIn(first) != nil {
                    self = .interval(try Self.interval(words, spec: spec))
                } else {
                    throw BeatScheduleSpecError.invalid(spec, "start with every, cron or solar")
                }
            }
        } catch let error as BeatScheduleSpecError {
            throw error
        } catch {
            throw .invalid(spec, "\(error)")
        }
    }

    /// The line `init(spec:)` reads back to this schedule.
    public var spec: String {
        switch self {
        case .interval(let interval):
            return "every " + Self.duration(interval.seconds) + (interval.relative ? " relative" : "")
        case .crontab(let crontab): return "cron " + crontab.expression
        case .solar(let solar): return "solar \(solar.event.rawValue) \(Self.number(solar.latitude)) \(Self.number(solar.longitude))"
        }
    }

    private static let units: [(names: Set<String>, seconds: Double)] = [
        (["s", "sec", "secs", "second", "seconds"], 1), (["m", "min", "mins", "minute", "minutes"], 60),
        (["h", "hour", "hours"], 3_600), (["d", "day", "days"], 86_400),
    ]

    /// "30 s", "30s", "1.5 min", "2 h relative".
    private static func interval(_ words: [String], spec: String) throws -> IntervalSchedule {
        var rest = words.map { $0.lowercased() }
        let relative = rest.last == "relative"
        if relative { rest.removeLast() }
        let seconds: Double?
        switch rest.count {
        case 1: seconds = Double(rest[0]) ?? secondsIn(rest[0])
        case 2: seconds = Double(rest[0]).flatMap { value in units.first { $0.names.contains(rest[1]) }.map { value * $0.seconds } }
        default: seconds = nil
        }
        guard let seconds else { throw BeatScheduleSpecError.invalid(spec, "an interval is a number and a unit (s, min, h, d), e.g. every 30 s") }
        return try IntervalSchedule(seconds: seconds, relative: relative)
    }

    /// "30s", "5min": a number with its unit attached.
    private static func secondsIn(_ word: String) -> Double? {
        guard let split = word.firstIndex(where: { $0.isLetter }), let value = Double(word[..<split]) else { return nil }
        let unit = String(word[split...])
        return units.first { $0.names.contains(unit) }.map { value * $0.seconds }
    }

    private static func number(_ value: Double) -> String { String(format: "%g", value) }
}

public enum BeatScheduleSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    case empty
    case invalid(String, String)

    public var description: String {
        switch self {
        case .empty: return "the schedule is empty; write e.g. every 30 s, cron */5 * * * * or solar sunset 52.5 13.4"
        case .invalid(let spec, let reason): return "schedule '\(spec)': \(reason)"
        }
    }
}
