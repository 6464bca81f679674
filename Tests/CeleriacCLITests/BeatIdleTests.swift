import Celeriac
import CeleriacTestSupport
import Foundation
import Testing

/// A beat sleeps between its runs: sending a task every two seconds costs it next to no CPU.
extension BeatTests {
    /// Seconds of CPU a process has used (user and system), from /proc/PID/stat.
    static func cpuSeconds(of pid: Int32) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name, which is in parentheses and may hold spaces.
        let fields = try #require(stat.range(of: ")", options: .backwards)).upperBound
        let rest = stat[fields...].split(separator: " ")
        // utime and stime are fields 14 and 15 of the whole line: 12th and 13th after ")".
        let ticks = Double(rest[11])! + Double(rest[12])!
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// One entry every two seconds, on the schedule file and on the database store: once the
    /// beat has slept and woken for two runs, over the next three seconds it may send once
    /// or twice, publish a heartbeat and look at its store each second — nothing more.
    @Test(arguments: ["file", "db"])
    func anIdleBeatSleepsBetweenRuns(scheduler: String) async throws {
        try await WorkerInteropTests.withVirtualHost { broker in
            let directory = try Self.directory()
            let config = directory + "/celeriac.toml"
            try """
                broker_url = "\(broker)"

                [beat_schedule.every-2s]
                task = "demo.add"
                schedule = 2
                args = [2, 3]
                """.write(toFile: config, atomically: true, encoding: .utf8)
            let log = directory + "/beat.log"
            let extra = scheduler == "db" ? ["--scheduler", "db", "--db", directory + "/beat.db"] : []
            let beat = try Self.startBeat(config: config, schedule: directory + "/schedule.json", log: log,
                                          pidFile: directory + "/beat.pid", extra: extra)
            defer { beat.stop() }
            try await Self.waitForSends(log, entry: "every-2s", count: 2)
            let pid = try await Self.pid(in: directory + "/beat.pid")
            let (startCPU, start) = (try Self.cpuSeconds(of: pid), ContinuousClock.now)
            // The measurement is of a rate: CPU used over a stretch of wall time, so the test
            // waits out that stretch; nothing happens in it to await.
            try await Task.sleep(for: .seconds(3))
            let used = try Self.cpuSeconds(of: pid) - startCPU
            let elapsed = (ContinuousClock.now - start) / .seconds(1)
            let share = used / elapsed
            print("beat (\(scheduler) store) sending every 2 s: \(String(format: "%.2f", used)) s of CPU in \(String(format: "%.2f", elapsed)) s")
            // A loop that never sleeps (as once, when a cancelled wait finished the stream of
            // wake-ups for good) uses most of a core here.
            #expect(share < 0.1, "a beat between runs used \(Int(share * 100)) % of a core")
        }
    }
}
