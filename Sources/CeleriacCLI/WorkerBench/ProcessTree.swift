import Foundation

/// Memory and CPU time of a process and its descendants (a prefork worker is several processes), from
/// Linux's /proc: each process's children listed by the kernel, so a sample reads only the
/// tree's own files.
enum ProcessTree {
    /// The resident set of `root` and every process below it, in KiB; 0 where /proc is missing.
    static func residentKiB(of root: Int32) -> Int {
        sum(over: root, resident)
    }

    /// CPU seconds (user and system) of `root` and every process below it, with what their
    /// children that already exited used; 0 where /proc is missing.
    static func cpuSeconds(of root: Int32) -> Double {
        Double(sum(over: root, cpuTicks)) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// `measure` of `root` and of every process below it, added up.
    private static func sum(over root: Int32, _ measure: (Int32) -> Int) -> Int {
        var total = 0
        var pending = [root]
        var seen: Set<Int32> = []
        while let pid = pending.popLast() {
            guard seen.insert(pid).inserted else { continue }
            total += measure(pid)
            pending += children(of: pid)
        }
        return total
    }

    /// utime + stime + cutime + cstime from /proc/PID/stat, whose second field (the command
    /// name, in parentheses) may hold spaces: fields are counted after its closing one.
    private static func cpuTicks(_ pid: Int32) -> Int {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let end = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: end)...].split(separator: " ")
        // After the name: state is field 3, so utime (14) … cstime (17) are at 11…14 here.
        guard fields.count > 14 else { return 0 }
        return fields[11...14].reduce(0) { $0 + (Int($1) ?? 0) }
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
