import Foundation

/// Memory of a process and its descendants (a prefork worker is several processes), from
/// Linux's /proc: each process's children listed by the kernel, so a sample reads only the
/// tree's own files.
enum ProcessTree {
    /// The resident set of `root` and every process below it, in KiB; 0 where /proc is missing.
    static func residentKiB(of root: Int32) -> Int {
        var total = 0
        var pending = [root]
        var seen: Set<Int32> = []
        while let pid = pending.popLast() {
            guard seen.insert(pid).inserted else { continue }
            total += resident(pid)
            pending += children(of: pid)
        }
        return total
    }

    private static func resident(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }) else { return 0 }
        return Int(line.dropFirst(6).trimmingCharacters(in: .whitespaces).split(separator: " ").first ?? "") ?? 0
    }

    private static func children(of pid: Int32) -> [Int32] {
        guard let threads = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/task") else { return [] }
        return threads.flatMap { thread in
            ((try? String(contentsOfFile: "/proc/\(pid)/task/\(thread)/children", encoding: .utf8)) ?? "")
                .split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
    }
}
