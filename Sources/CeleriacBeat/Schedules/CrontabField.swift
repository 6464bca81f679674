import Foundation

/// One field of a crontab — minutes, hours, days of the week, days of the month or months —
/// parsed as Celery's `crontab_parser` parses it: comma-separated parts, each `*`, `*/step`,
/// a number or name, `a-b` (wrapping past the top when b < a), or `a-b/step`.
struct CrontabField: Sendable, Hashable {
    /// Which field, for its bounds and the names it takes.
    enum Kind: String, Sendable, Hashable {
        case minute, hour, dayOfWeek = "day_of_week", dayOfMonth = "day_of_month", monthOfYear = "month_of_year"

        /// The smallest value and how many there are (Celery's `min_` and `max_`).
        var bounds: (minimum: Int, count: Int) {
            switch self {
            case .minute: return (0, 60)
            case .hour: return (0, 24)
            case .dayOfWeek: return (0, 7)
            case .dayOfMonth: return (1, 31)
            case .monthOfYear: return (1, 12)
            }
        }
    }

    let kind: Kind
    /// What was written, kept for descriptions and for saving the schedule.
    let spec: String
    let values: Set<Int>
    /// The values in order, for finding the next one.
    let sorted: [Int]

    var isEvery: Bool { values.count == kind.bounds.count }

    init(_ spec: String, kind: Kind) throws(CrontabError) {
        self.kind = kind
        self.spec = spec
        var values = Set<Int>()
        for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
            let part = part.trimmingCharacters(in: .whitespaces)
            guard !part.isEmpty else { throw .emptyPart(field: kind.rawValue, spec: spec) }
            values.formUnion(try Self.expand(part, kind: kind, spec: spec))
        }
        self.values = values
        sorted = values.sorted()
    }

    private static func expand(_ part: String, kind: Kind, spec: String) throws(CrontabError) -> [Int] {
        let (minimum, count) = kind.bounds
        let pieces = part.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
        var step = 1
        if pieces.count == 2 {
            guard let parsed = Int(pieces[1]), parsed > 0 else { throw .badStep(field: kind.rawValue, spec: spec) }
            step = parsed
        }
        let base = pieces[0]
        var values: [Int]
        if base == "*" {
            values = Array(minimum..<(minimum + count))
        } else if let dash = base.dropFirst().firstIndex(of: "-") {
            let from = try number(String(base[..<dash]), kind: kind, spec: spec)
            let to = try number(String(base[base.index(after: dash)...]), kind: kind, spec: spec)
            values = to < from ? Array(from..<(minimum + count)) + Array(minimum...to) : Array(from...to)
        } else {
            guard pieces.count == 1 else { throw .badStep(field: kind.rawValue, spec: spec) }
            values = [try number(base, kind: kind, spec: spec)]
        }
        return stride(from: 0, to: values.count, by: step).map { values[$0] }
    }

    /// A number, or a day or month name (any word whose first three letters name one).
    private static func number(_ text: String, kind: Kind, spec: String) throws(CrontabError) -> Int {
        guard !text.hasPrefix("-") else { throw .negative(field: kind.rawValue, spec: spec) }
        let value: Int
        if let number = Int(text) {
            value = number
        } else if let index = Self.names(for: kind).firstIndex(of: String(text.lowercased().prefix(3))), text.count >= 3 {
            value = index + (kind == .monthOfYear ? 1 : 0)
        } else {
            throw .unknownName(field: kind.rawValue, name: text)
        }
        let (minimum, count) = kind.bounds
        guard value >= minimum, value < minimum + count else {
            throw .outOfRange(field: kind.rawValue, value: value, minimum: minimum, maximum: minimum + count - 1)
        }
        return value
    }

    private static func names(for kind: Kind) -> [String] {
        switch kind {
        case .dayOfWeek: return ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        case .monthOfYear: return ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        default: return []
        }
    }

    /// The smallest value above `value`, if any.
    func next(after value: Int) -> Int? {
        sorted.first { $0 > value }
    }
}

/// Why a crontab cannot be read, naming the field and the fix.
public enum CrontabError: Error, Sendable, Hashable, CustomStringConvertible {
    case emptyPart(field: String, spec: String)
    case badStep(field: String, spec: String)
    case negative(field: String, spec: String)
    case unknownName(field: String, name: String)
    case outOfRange(field: String, value: Int, minimum: Int, maximum: Int)
    case wrongFieldCount(expression: String, found: Int)
    case neverRuns(String)

    public var description: String {
        switch self {
        case .emptyPart(let field, let spec): return "\(field) '\(spec)' has an empty part between commas"
        case .badStep(let field, let spec): return "\(field) '\(spec)': a step goes after * or a range, as */15 or 8-17/2, and is a whole number above 0"
        case .negative(let field, let spec): return "\(field) '\(spec)': negative numbers are not allowed"
        case .unknownName(let field, let name):
            return "\(field): '\(name)' is neither a number nor a \(field == "month_of_year" ? "month name (jan…dec)" : "day name (sun…sat)")"
        case .outOfRange(let field, let value, let minimum, let maximum):
            return "\(field): \(value) is outside \(minimum)–\(maximum)"
        case .wrongFieldCount(let expression, let found):
            return "'\(expression)' has \(found) fields; a crontab has five: minute hour day-of-month month day-of-week, e.g. '30 7 * * mon-fri'"
        case .neverRuns(let expression):
            return "'\(expression)' never runs: no date has that day of the month in those months on those days of the week"
        }
    }
}
