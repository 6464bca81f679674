import ArgumentParser
import CeleriacWorker
import Foundation

/// `celeriac bench worker`: Celeriac's worker, each pool, beside Python Celery's prefork and
/// solo workers on the same broker, queue, concurrency and events, from one run.
struct WorkerBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run tasks through Celeriac's worker and Celery's, side by side.",
        discussion: """
            For each task kind (demo.noop, demo.fib(15)) and each worker — celeriac with every \
            pool, then, with --celery-app, Python Celery 5.7 with -P prefork and -P solo — fills a \
            queue with N tasks, starts the worker with -E and -c C, and reports: tasks/s emptying \
            the queue (from the worker's own task-succeeded events), publish-to-start latency \
            p50/p99 of tasks sent one at a time, the peak resident memory of the worker and its \
            pool processes, and the time from start to worker-online. First it prints the \
            broker's ceiling: the same messages consumed and acked by a bare AMQP consumer. \
            The ceiling and every worker run --runs times, round by round; each line is the \
            fastest run, with the median and the slowest beside it, and the last line of a kind \
            compares the fastest runs and the medians.
            """
    )

    @Option(help: "Broker URL.")
    var url = "amqp://guest:guest@localhost:5672//"

    @Option(help: "Tasks per run.")
    var tasks = 20_000

    @Option(help: "Tasks sent one at a time for the latency figures.")
    var latencyTasks = 200

    @Option(name: [.customShort("c"), .long], help: "Worker concurrency (default: the number of cores).")
    var concurrency = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "Rounds: runs of the ceiling and of each worker; the fastest and the median are reported.")
    var runs = 3

    @Option(help: "Celeriac pools to run, comma-separated.")
    var pools = "prefork,async,threads,solo"

    @Option(help: "Task kinds, comma-separated: noop, cpu.")
    var kinds = "noop,cpu"

    @Option(help: "Path of Benchmarks/celery_worker_app.py; omit to skip Celery.")
    var celeryApp: String?

    @Option(help: "The Python interpreter that has celery installed.")
    var python = "python3"

    func validate() throws {
        guard tasks > 0, latencyTasks >= 0, concurrency > 0, runs > 0 else {
            throw ValidationError("--tasks, --runs and -c take 1 or more, --latency-tasks 0 or more")
        }
        for pool in list(pools) where PoolKind(rawValue: pool) == nil {
            throw ValidationError("--pools: \(pool) is not a pool; use prefork, async, threads, solo")
        }
        for kind in list(kinds) where WorkerBenchmark.Kind(rawValue: kind) == nil {
            throw ValidationError("--kinds: \(kind) is not a kind; use noop, cpu")
        }
        if let celeryApp, !FileManager.default.fileExists(atPath: celeryApp) {
            throw ValidationError("--celery-app \(celeryApp): no such file; pass the path of Benchmarks/celery_worker_app.py")
        }
    }

    func run() async throws {
        let logs = FileManager.default.temporaryDirectory.appendingPathComponent("celeriac-bench-worker").path
        try FileManager.default.createDirectory(atPath: logs, withIntermediateDirectories: true)
        let bench = WorkerBenchmark(broker: url, tasks: tasks, latencyTasks: latencyTasks, concurrency: concurrency,
                                    celeryApp: celeryApp, python: python, logDirectory: logs)
        var subjects = list(pools).map { BenchSubject(implementation: .celeriac, pool: $0) }
        if celeryApp != nil { subjects += ["prefork", "solo"].map { BenchSubject(implementation: .celery, pool: $0) } }
        print("Worker benchmark: \(tasks) tasks per run, -c \(concurrency), -E, no result backend, best and median of \(runs) rounds, \(ProcessAllocator.name); worker logs in \(logs)")
        for kind in list(kinds).compactMap(WorkerBenchmark.Kind.init(rawValue:)) {
            // Round by round, the ceiling and then each worker once: a broker that drifts over
            // the minutes of a run moves every subject alike, not the ones measured last.
            var ceilings: [Double] = []
            var runsBySubject = Array(repeating: [WorkerBenchmark.Result](), count: subjects.count)
            for _ in 0..<runs {
                ceilings.append(try await bench.brokerCeiling(kind: kind))
                for (index, subject) in subjects.enumerated() {
                    runsBySubject[index].append(try await bench.run(subject, kind: kind))
                }
            }
            let ceiling = ceilings.max() ?? 0
            let medianCeiling = WorkerBenchmark.median(ceilings)
            print(String(format: "%@: broker ceiling (bare consumer, same messages, prefetch %d, acks) %.0f msg/s, median %.0f, slowest %.0f",
                         kind.taskName, 4 * concurrency, ceiling, medianCeiling, ceilings.min() ?? 0))
            print(WorkerBenchmark.Result.header)
            let results = runsBySubject.compactMap { WorkerBenchmark.Result.best(of: $0) }
            results.forEach { print($0.line) }
            let top = { (name: String, figure: KeyPath<WorkerBenchmark.Result, Double>) in
                results.filter { $0.subject.hasPrefix(name) }.map { $0[keyPath: figure] }.max()
            }
            guard let ours = top("celeriac", \.tasksPerSecond), let oursMedian = top("celeriac", \.medianTasksPerSecond) else {
                continue
            }
            let theirs = top("celery ", \.tasksPerSecond), theirsMedian = top("celery ", \.medianTasksPerSecond)
            let timesCelery = theirs.map { String(format: "%.1fx best celery, ", ours / $0) } ?? ""
            let timesCeleryByMedians = theirsMedian.map { String(format: "%.1fx and ", oursMedian / $0) } ?? ""
            print(String(format: "%@: best celeriac %.0f/s = %@%.0f%% of the broker ceiling; by medians %@%.0f%%",
                         kind.rawValue, ours, timesCelery, 100 * ours / ceiling,
                         timesCeleryByMedians, 100 * oursMedian / medianCeiling))
        }
    }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
