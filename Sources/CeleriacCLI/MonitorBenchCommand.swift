import ArgumentParser
import CeleriacMonitor
import Foundation

/// `celeriac bench monitor`: one recorded event stream through Celeriac's monitor state and
/// through Celery's `celery.events.state.State`, in the same run.
struct MonitorBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "monitor",
        abstract: "Merge a recorded event stream into the monitor state; compare with Celery's State.",
        discussion: """
            Records a stream of task and worker events (JSON lines) for each task count, replays it \
            into Celeriac's ClusterState and, with --celery, into celery.events.state.State (Python, \
            celery 5.7.0) bounded to the same number of tasks. Prints events per second (JSON decode \
            and merge) and the resident memory the state added, then the dashboard's frame time with \
            the first count held.
            """
    )

    @Option(parsing: .upToNextOption, help: "Task counts to measure (3 events each).")
    var tasks: [Int] = [100_000, 1_000_000]

    @Option(help: "Path of Benchmarks/celery_state_bench.py; omit to skip Celery.")
    var celery: String?

    @Option(help: "The Python interpreter that has celery installed.")
    var python = "python3"

    @Option(help: "Frames to time.")
    var frames = 400

    func validate() throws {
        guard !tasks.isEmpty, tasks.allSatisfy({ $0 > 0 }) else { throw ValidationError("--tasks takes counts above 0") }
        if let celery, !FileManager.default.fileExists(atPath: celery) {
            throw ValidationError("--celery \(celery): no such file; pass the path of Benchmarks/celery_state_bench.py")
        }
    }

    func run() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        say("Monitor benchmark: events/s = JSON decode + merge into the state; RSS = memory the state added")
        var frameStore: MonitorStore?
        for count in tasks {
            let path = directory.appendingPathComponent("events-\(count).jsonl").path
            try MonitorBenchmark.record(tasks: count, to: path)
            let store = MonitorStore(maximumTasks: count)
            let ours = try MonitorBenchmark.replay(path, into: store)
            say(row("Celeriac ClusterState", count, ours.eventsPerSecond, ours.residentBytes))
            if frameStore == nil { frameStore = store }
            if let celery {
                struct CeleryFigures: Decodable {
                    var events_per_s: Double
                    var rss_bytes: Int
                }
                let theirs = try PythonPeer.run(python, celery, ["--events", path, "--max-tasks", "\(count)"],
                                                hint: "is celery installed (pip install celery==5.7.0)?",
                                                as: CeleryFigures.self)
                say(row("Celery events.state.State", count, theirs.events_per_s, theirs.rss_bytes))
                say(String(format: "  ratio: %.1fx the events per second, %.2fx the memory",
                             ours.eventsPerSecond / theirs.events_per_s,
                             Double(ours.residentBytes) / Double(max(1, theirs.rss_bytes))))
            }
        }
        if let store = frameStore {
            let times = MonitorBenchmark.frameTimes(store: store, frames: frames)
            let held = store.read { $0.cluster.tasks.count }
            say(String(format: "frame time with %d tasks held (Tasks and Overview, 200x60): p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                         held, times[times.count / 2], times[min(times.count - 1, times.count * 99 / 100)],
                         times.last ?? 0))
        }
    }

    /// Written at once, so each figure shows as it is measured.
    private func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }

    private func row(_ name: String, _ count: Int, _ perSecond: Double, _ bytes: Int) -> String {
        String(format: "%-28@ %9d tasks  %12.0f events/s  %8.1f MiB", name as NSString, count, perSecond,
               Double(bytes) / 1_048_576)
    }
}
