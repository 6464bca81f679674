import Foundation

/// Celery's timestamps: ISO 8601 with microseconds and an offset ("2026-11-24T23:07:36.716532+00:00"),
/// as Python's `datetime.isoformat()` writes them.
public enum CeleryTime {
    /// Parses with or without fractional seconds and with any offset (or "Z").
    public static func parse(_ text: String) -> Date? {
        var text = text
        if text.hasSuffix("Z") { text = String(text.dropLast()) + "+00:00" }
        // Split off the fraction, which ISO8601DateFormatter only reads to milliseconds.
        var fraction = 0.0
        if let dot = text.firstIndex(of: ".") {
            let digitsEnd = text[dot...].dropFirst().firstIndex { !$0.isNumber } ?? text.endIndex
            fraction = Double("0" + text[dot..<digitsEnd]) ?? 0
            text.removeSubrange(dot..<digitsEnd)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        guard let whole = formatter.date(from: text) ?? formatter.date(from: text + "+00:00") else { return nil }
        return whole.addingTimeInterval(fraction)
    }

    /// Formats in UTC with microseconds and "+00:00", as Celery does.
    public static func format(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970.rounded(.down)
        var micros = Int(((date.timeIntervalSince1970 - seconds) * 1_000_000).rounded())
        var whole = Date(timeIntervalSince1970: seconds)
        if micros == 1_000_000 {
            micros = 0
            whole = whole.addingTimeInterval(1)
        }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withFullDate, .withTime, .withColonSeparatorInTime, .withDashSeparatorInDate]
        formatter.timeZone = TimeZone(identifier: "UTC")
        let base = formatter.string(from: whole)
        let fraction = String(micros)
        return base + "." + String(repeating: "0", count: 6 - fraction.count) + fraction + "+00:00"
    }
}
