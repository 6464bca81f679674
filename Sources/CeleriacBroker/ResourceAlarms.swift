import Foundation
import NIOCore

/// RabbitMQ's flow control: a memory high watermark and a free-disk limit, checked every
/// second. While either alarm is on, every connection that publishes is blocked (told with
/// connection.blocked, and no longer read) until both clear.
final class ResourceAlarms {
    enum Alarm: String, Sendable, Hashable {
        case memory
        case disk

        /// The reason connection.blocked carries, as RabbitMQ words it.
        var reason: String { self == .memory ? "low on memory" : "low on disk" }
    }

    /// A share of the machine's memory (RabbitMQ's `vm_memory_high_watermark.relative`), or
    /// an absolute number of bytes.
    enum MemoryLimit: Sendable, Hashable {
        case fraction(Double)
        case bytes(Int)
    }

    var memoryLimit: MemoryLimit
    var diskFreeLimit: Int
    let dataDirectory: String?
    private(set) var active: Set<Alarm> = []
    /// Told when the set of active alarms changes.
    var onChange: (Set<Alarm>) -> Void = { _ in }

    init(memoryLimit: MemoryLimit, diskFreeLimit: Int, dataDirectory: String?) {
        self.memoryLimit = memoryLimit
        self.diskFreeLimit = diskFreeLimit
        self.dataDirectory = dataDirectory
    }

    func check() {
        var now: Set<Alarm> = []
        if Self.residentBytes() >= memoryLimitBytes { now.insert(.memory) }
        if let dataDirectory, let free = Self.freeBytes(at: dataDirectory), free < diskFreeLimit { now.insert(.disk) }
        guard now != active else { return }
        active = now
        onChange(now)
    }

    var memoryLimitBytes: Int {
        switch memoryLimit {
        case .fraction(let share): return Int(Double(Self.totalMemoryBytes()) * share)
        case .bytes(let bytes): return bytes
        }
    }

    static func residentBytes() -> Int { ManagementViews.residentBytes() }

    static func totalMemoryBytes() -> Int {
        guard let info = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("MemTotal:") }),
              let kibibytes = Int(line.split(separator: " ").dropFirst().first ?? "") else {
            return Int(ProcessInfo.processInfo.physicalMemory)
        }
        return kibibytes * 1024
    }

    static func freeBytes(at path: String) -> Int? {
        var stats = statvfs()
        guard statvfs(path, &stats) == 0 else { return nil }
        return Int(stats.f_bavail) * Int(stats.f_frsize)
    }

    /// "0.4" (a share of memory), or "512MB", "2GB", "1000000" (bytes): what
    /// `--memory-high-watermark` and `set_vm_memory_high_watermark` take.
    static func parseMemoryLimit(_ text: String) -> MemoryLimit? {
        if let share = Double(text), share >= 0, share <= 1, text.contains(".") || share == 0 || share == 1 {
            return .fraction(share)
        }
        return parseBytes(text).map { .bytes($0) }
    }

    static func parseBytes(_ text: String) -> Int? {
        let units: [(String, Int)] = [("GB", 1_000_000_000), ("MB", 1_000_000), ("KB", 1_000), ("GiB", 1 << 30),
                                      ("MiB", 1 << 20), ("KiB", 1 << 10)]
        for (suffix, factor) in units where text.hasSuffix(suffix) {
            return Double(text.dropLast(suffix.count)).map { Int($0 * Double(factor)) }
        }
        return Int(text).flatMap { $0 >= 0 ? $0 : nil }
    }
}

/// Checks of the alarms' settings for the command line, before the broker starts.
public enum ResourceAlarmsInput {
    public static func memory(_ text: String) -> Bool { ResourceAlarms.parseMemoryLimit(text) != nil }
    public static func bytes(_ text: String) -> Bool { ResourceAlarms.parseBytes(text) != nil }
}
