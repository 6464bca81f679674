import CeleriacMonitor
import Foundation

/// Fitting text into columns. Widths count characters: the dashboard's own glyphs are all
/// one column wide, and a wide character in a task's args at worst shifts its own row.
public enum Text {
    /// `text` cut to `width` (ending in "…" when cut) and padded with spaces to exactly `width`.
    public static func fit(_ text: String, _ width: Int) -> String {
        guard width > 0 else { return "" }
        let clean = text.replacingControlCharacters()
        let count = clean.count
        if count <= width { return clean + String(repeating: " ", count: width - count) }
        return String(clean.prefix(width - 1)) + "…"
    }

    /// Right-aligned in `width`.
    public static func right(_ text: String, _ width: Int) -> String {
        let clean = text.replacingControlCharacters()
        let count = clean.count
        return count >= width ? fit(clean, width) : String(repeating: " ", count: width - count) + clean
    }

    /// "1.2s", "350ms", "2m05s", "3h12m" — short durations for tables.
    public static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite else { return "-" }
        if seconds < 0.001 { return "<1ms" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds < 60 { return String(format: "%.1fs", seconds) }
        if seconds < 3600 { return String(format: "%dm%02ds", Int(seconds) / 60, Int(seconds) % 60) }
        return String(format: "%dh%02dm", Int(seconds) / 3600, (Int(seconds) % 3600) / 60)
    }

    /// Local time of day, "14:02:33".
    public static func clock(_ epoch: Double?) -> String {
        guard let epoch, epoch.isFinite else { return "-" }
        return EventLog.clock(epoch, milliseconds: false)
    }

    /// "1.5/s" with sensible precision.
    public static func rate(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "-" }
        return value >= 10 ? "\(Int(value.rounded()))/s" : String(format: "%.1f/s", value)
    }
}

extension String {
    /// Newlines, tabs and escapes from the network never reach the terminal raw.
    func replacingControlCharacters() -> String {
        // C0, DEL and C1 (0x80-0x9F: some terminals take 0x9B as an escape).
        func isControl(_ scalar: Unicode.Scalar) -> Bool { scalar.value < 32 || (127...159).contains(scalar.value) }
        guard unicodeScalars.contains(where: isControl) else { return self }
        return String(String.UnicodeScalarView(unicodeScalars.map { isControl($0) ? " " : $0 }))
    }
}
