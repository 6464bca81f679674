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
            the first count held. Each count is measured --runs times, ours and Celery's in turn, \
            and the best run of each is compared: on a shared machine, a slow run says more about \
            the neighbours than about the code.
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

    @Option(help: "Runs per task count; the best of each side is compared.")
    var runs = 3

    @Option(help: .hidden)  // one run in a fresh process: replay this recorded stream, print JSON figures
    var replay: String?

    func validate() throws {
        guard !tasks.isEmpty, tasks.allSatisfy({ $0 > 0 }) else { throw ValidationError("--tasks takes counts above 0") }
        guard runs > 0 else { throw ValidationError("--runs takes a count above 0") }
        if let celery, !FileManager.default.fileExists(atPath: celery) {
            throw ValidationError("--celery \(celery): no such file; pass the path of Benchmarks/celery_state_bench.py")
        }
    }

    func run() throws {
        if let replay {
            let figures = try MonitorBenchmark.replay(replay, into: MonitorStore(maximumTasks: tasks[0]))
            say(String(decoding: try JSONEncoder().encode(figures), as: UTF8.self))
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-bench-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        say("Monitor benchmark: events/s = JSON decode + merge into the state; RSS = memory the state added")
        var frameStore: MonitorStore?
        for count in tasks {
            let path = directory.appendingPathComponent("events-\(count).jsonl").path
            try MonitorBenchmark.record(tasks: count, to: path)
            var ours: [MonitorBenchmark.Figures] = []
            var theirs: [MonitorBenchmark.Figures] = []
            // Each run in a fresh process, ours as Celery's: neither reuses memory a run before freed.
            for _ in 0..<runs {
                ours.append(try PythonPeer.runFigures([Self.executable, "bench", "monitor", "--replay", path,
                                                       "--tasks", "\(count)"],
                                                      hint: "the replay child failed", as: MonitorBenchmark.Figures.self))
                if let celery {
                    theirs.append(try PythonPeer.run(python, celery, ["--events", path, "--max-tasks", "\(count)"],
                                                     hint: "is celery installed (pip install celery==5.7.0)?",
                                                     as: MonitorBenchmark.Figures.self))
                }
            }
            if frameStore == nil {
                let store = MonitorStore(maximumTasks: count)
                _ = try MonitorBenchmark.replay(path, into: store)
                frameStore = store
            }
            report("Celeriac ClusterState", count, ours)
            guard let bestOurs = ours.max(by: { $0.eventsPerSecond < $1.eventsPerSecond }),
                  let bestTheirs = theirs.max(by: { $0.eventsPerSecond < $1.eventsPerSecond }) else { continue }
            report("Celery events.state.State", count, theirs)
            say(String(format: "  ratio (best runs): %.1fx the events per second, %.2fx the memory",
                       bestOurs.eventsPerSecond / bestTheirs.eventsPerSecond,
                       Double(bestOurs.residentBytes) / Double(max(1, bestTheirs.residentBytes))))
        }
        if let store = frameStore {
            let times = MonitorBenchmark.frameTimes(store: store, frames: frames)
            let held = store.read { $0.cluster.tasks.count }
            say(String(format: "frame time with %d tasks held (Tasks and Overview, 200x60): p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                         held, times[times.count / 2], times[min(times.count - 1, times.count * 99 / 100)],
                         times.last ?? 0))
        }
    }

    /// The best run's row, then every run's events/s when there were several.
    private func report(_ name: String, _ count: Int, _ runs: [MonitorBenchmark.Figures]) {
        guard let best = runs.max(by: { $0.eventsPerSecond < $1.eventsPerSecond }) else { return }
        say(row(name, count, best.eventsPerSecond, best.residentBytes))
        if runs.count > 1 {
            say("    runs: " + runs.map { String(format: "%.0f", $0.eventsPerSecond) }.joined(separator: ", ") + " events/s")
        }
    }

    /// This executable, to run a replay in a child process.
    private static var executable: String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
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
