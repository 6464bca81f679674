import Foundation

/// A task rate limit as tokens per second, parsed from Celery's strings: "10/s", "100/m",
/// "1000/h", or a bare number meaning per second (celery/utils/time.py `rate`). Zero means no
/// limit, as a falsy rate does in Celery's worker.
public struct RateLimit: Sendable, Hashable, CustomStringConvertible {
    public var tokensPerSecond: Double

    public init(tokensPerSecond: Double) {
        self.tokensPerSecond = tokensPerSecond
    }

    /// nil unless `string` is a non-negative number with an optional "/s", "/m" or "/h".
    public init?(_ string: String) {
        guard let parsed = try? Self.parse(string) else { return nil }
        self = parsed
    }

    /// Like `init?(_:)`, but says what is wrong.
    public static func parse(_ string: String) throws(TaskOptionsError) -> RateLimit {
        let parts = string.split(separator: "/", maxSplits: 1, omittingEmptySubsequences: false)
        let count = parts[0].trimmingCharacters(in: .whitespaces)
        let unit = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : "s"
        // Celery's modifier map knows only s, m and h; "" after a slash falls back to s.
        let seconds: Double
        switch unit {
        case "s", "": seconds = 1
        case "m": seconds = 60
        case "h": seconds = 3600
        default: throw .invalidRateLimit(string)
        }
        guard let tasks = Double(count), tasks.isFinite, tasks >= 0 else { throw .invalidRateLimit(string) }
        return RateLimit(tokensPerSecond: tasks / seconds)
    }

    /// Zero, which Celery treats as "no limit".
    public var isUnlimited: Bool { tokensPerSecond == 0 }

    /// Seconds between tokens; nil when unlimited.
    public var interval: Double? { isUnlimited ? nil : 1 / tokensPerSecond }

    public var description: String { "\(tokensPerSecond)/s" }
}
