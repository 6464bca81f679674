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
            Every worker and the ceiling run --runs times; each line is the fastest run, with \
            the slowest beside it.
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

    @Option(help: "Runs of each worker and of the ceiling; the fastest is reported.")
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
        print("Worker benchmark: \(tasks) tasks per run, -c \(concurrency), -E, no result backend, best of \(runs) runs; worker logs in \(logs)")
        for kind in list(kinds).compactMap(WorkerBenchmark.Kind.init(rawValue:)) {
            var ceilings: [Double] = []
            for _ in 0..<runs { ceilings.append(try await bench.brokerCeiling(kind: kind)) }
            let ceiling = ceilings.max() ?? 0
            print(String(format: "%@: broker ceiling (bare consumer, same messages, prefetch %d, acks) %.0f msg/s, slowest %.0f",
                         kind.taskName, 4 * concurrency, ceiling, ceilings.min() ?? 0))
            print(WorkerBenchmark.Result.header)
            var results: [WorkerBenchmark.Result] = []
            for subject in subjects {
                var runsOfSubject: [WorkerBenchmark.Result] = []
                for _ in 0..<runs { runsOfSubject.append(try await bench.run(subject, kind: kind)) }
                guard let result = WorkerBenchmark.Result.best(of: runsOfSubject) else { continue }
                results.append(result)
                print(result.line)
            }
            let best = { (name: String) in results.filter { $0.subject.hasPrefix(name) }.map(\.tasksPerSecond).max() }
            if let ours = best("celeriac"), let theirs = best("celery ") {
                print(String(format: "%@: best celeriac %.0f/s = %.1fx best celery, %.0f%% of the broker ceiling",
                             kind.rawValue, ours, ours / theirs, 100 * ours / ceiling))
            }
        }
    }

    private func list(_ text: String) -> [String] {
        text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
