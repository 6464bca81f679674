import Celeriac
import CeleriacWorker
import Foundation
import NIOConcurrencyHelpers

/// One worker benchmark run: N tasks waiting in a queue, then the worker started; how soon
/// it is ready, how fast it empties the queue (counted from its own task-succeeded events),
/// how much memory it holds while it does, and then — one task at a time, at light load —
/// how long a task takes from publish to start.
struct WorkerBenchmark: Sendable {
    enum Kind: String, CaseIterable, Sendable {
        /// `demo.noop()`: the worker's own cost per task.
        case noop
        /// `demo.fib(15)`: a small CPU task.
        case cpu

        var taskName: String { self == .noop ? "demo.noop" : "demo.fib" }
        var args: [JSONValue] { self == .noop ? [] : [15] }
    }

    struct Result: Sendable {
        var subject: String
        var kind: Kind
        var tasksPerSecond: Double
        var latencyP50: Double
        var latencyP99: Double
        var residentMiB: Double
        var readyMilliseconds: Double
        /// CPU time the worker's processes spent per task while emptying the queue: steadier
        /// than tasks/s on a shared machine, and what a change to the worker moves.
        var cpuMicrosecondsPerTask: Double
        /// The median and the slowest of the runs this one was the best of; equal to
        /// `tasksPerSecond` for one run.
        var medianTasksPerSecond: Double
        var slowestTasksPerSecond: Double

        var line: String {
            String(format: "%@ %@ %9.0f %9.0f %9.0f   %7.2f %7.2f   %7.1f   %7.0f   %7.0f", kind.rawValue.padding(toLength: 5, withPad: " ", startingAt: 0),
                   subject.padding(toLength: 18, withPad: " ", startingAt: 0), tasksPerSecond, medianTasksPerSecond,
                   slowestTasksPerSecond, latencyP50 * 1000, latencyP99 * 1000, residentMiB, readyMilliseconds,
                   cpuMicrosecondsPerTask)
        }

        static let header = "kind  worker               tasks/s    median   slowest    p50 ms  p99 ms   RSS MiB  ready ms  CPU µs/task"

        /// The fastest of several runs of one subject, with the median and the slowest beside
        /// it: one run on a shared 2-core machine varies by a third, so every subject and the
        /// ceiling are judged on the same best-of-N, and on the median, which one lucky or
        /// unlucky run does not move.
        static func best(of runs: [Result]) -> Result? {
            guard var best = runs.max(by: { $0.tasksPerSecond < $1.tasksPerSecond }) else { return nil }
            best.medianTasksPerSecond = median(runs.map(\.tasksPerSecond))
            best.slowestTasksPerSecond = runs.map(\.tasksPerSecond).min() ?? best.tasksPerSecond
            return best
        }
    }

    /// The middle value (the mean of the two middle ones for an even count); 0 for none.
    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let middle = sorted.count / 2
        return sorted.count.isMultiple(of: 2) ? (sorted[middle - 1] + sorted[middle]) / 2 : sorted[middle]
    }

    var broker: String
    var tasks: Int
    var latencyTasks: Int
    var concurrency: Int
    var celeryApp: String?
    var python: String
    var logDirectory: String

    func run(_ subject: BenchSubject, kind: Kind) async throws -> Result {
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = broker
        let app = App(configuration)
        let queue = "bench.\(kind.rawValue).\(UUID().uuidString.prefix(8).lowercased())"
        let options = TaskSendOptions(queue: queue)
        let eventMessages = try await EventReceiver.messages(on: try await app.transport())
        try await prefill(app, kind: kind, options: options)

        let launch = subject.launch(queue: queue, kind: kind.rawValue, concurrency: concurrency, broker: broker,
                                    celeryApp: celeryApp, python: python)
        let log = "\(logDirectory)/\(subject.label.replacingOccurrences(of: " ", with: "-"))-\(kind.rawValue).log"
        let worker = try start(launch, log: log)
        let spawned = ContinuousClock.now
        let node = subject.node(kind.rawValue)
        let peak = PeakMemory(pid: worker)
        defer { peak.stop() }

        let phase = NIOLockedValueBox("waiting for worker-online from \(node)")
        let figures: (ready: Double, perSecond: Double, cpuPerTask: Double, latencies: [Double])
        do {
            figures = try await untilDone(worker, log: log, phase: phase) {
                var iterator = BenchEvents(eventMessages.makeAsyncIterator())
                var ready: ContinuousClock.Instant?
                while ready == nil, let event = try await iterator.next() {
                    if event.type == "worker-online", event.hostname == node { ready = .now }
                }
                guard let ready else { throw BenchError("the event stream ended before \(node) came online") }
                let cpuAtReady = ProcessTree.cpuSeconds(of: worker)
                var succeeded = 0
                while succeeded < tasks, let count = try await iterator.nextSucceededCount(from: node) {
                    succeeded += count
                    phase.withLockedValue { $0 = "\(succeeded) of \(tasks) tasks succeeded" }
                }
                let perSecond = Double(tasks) / (ContinuousClock.now - ready).inSeconds
                let cpuPerTask = (ProcessTree.cpuSeconds(of: worker) - cpuAtReady) / Double(tasks) * 1_000_000
                peak.stop()
                var latencies: [Double] = []
                for index in 0..<latencyTasks {
                    phase.withLockedValue { $0 = "latency task \(index + 1) of \(latencyTasks)" }
                    let sentAt = Date().timeIntervalSince1970
                    let result = try await app.send(kind.taskName, args: kind.args, options: options, expectResult: false)
                    while let event = try await iterator.next() {
                        if event.type == "task-started", event["uuid"]?.stringValue == result.id, let startedAt = event.timestamp {
                            latencies.append(startedAt - sentAt)
                            break
                        }
                    }
                    try await Task.sleep(for: .milliseconds(10))  // light load: the next task after a pause
                }
                return ((ready - spawned).inSeconds, perSecond, cpuPerTask, latencies.sorted())
            }
        } catch {
            stop(worker)  // a failed run leaves no worker behind
            throw error
        }
        stop(worker)
        _ = try? await app.purge(queues: [queue])
        await app.close()
        func percentile(_ p: Double) -> Double {
            figures.latencies.isEmpty ? .nan : figures.latencies[min(figures.latencies.count - 1, Int(Double(figures.latencies.count) * p))]
        }
        return Result(subject: subject.label, kind: kind, tasksPerSecond: figures.perSecond, latencyP50: percentile(0.5),
                      latencyP99: percentile(0.99), residentMiB: Double(peak.kib) / 1024, readyMilliseconds: figures.ready * 1000,
                      cpuMicrosecondsPerTask: figures.cpuPerTask, medianTasksPerSecond: figures.perSecond,
                      slowestTasksPerSecond: figures.perSecond)
    }

    /// What the broker itself allows: the same task messages consumed and acked by a bare
    /// AMQP consumer with the workers' prefetch, doing nothing else.
    func brokerCeiling(kind: Kind) async throws -> Double {
        var configuration = CeleriacConfiguration()
        configuration.brokerURL = broker
        let app = App(configuration)
        let queue = "bench.ceiling.\(UUID().uuidString.prefix(8).lowercased())"
        let options = TaskSendOptions(queue: queue)
        try await prefill(app, kind: kind, options: options)
        let transport = try await app.transport()
        let start = ContinuousClock.now
        var received = 0
        for try await delivery in try await transport.consume(queue: queue, prefetch: 4 * concurrency, noAck: false) {
            try delivery.ack()
            received += 1
            if received == tasks { break }
        }
        let perSecond = Double(tasks) / (ContinuousClock.now - start).inSeconds
        _ = try? await app.purge(queues: [queue])
        await app.close()
        return perSecond
    }

    /// Fills the queue with `tasks` messages, many confirms in flight at once so the fill
    /// takes seconds rather than a round trip per task.
    private func prefill(_ app: App, kind: Kind, options: TaskSendOptions) async throws {
        let inFlight = 256
        var sent = 0
        while sent < tasks {
            let batch = min(inFlight, tasks - sent)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<batch {
                    group.addTask { _ = try await app.send(kind.taskName, args: kind.args, options: options, expectResult: false) }
                }
                try await group.waitForAll()
            }
            sent += batch
        }
    }

    private func stop(_ worker: pid_t) {
        kill(worker, SIGTERM)
        var status: Int32 = 0
        while waitpid(worker, &status, 0) < 0, errno == EINTR {}
    }

    private func start(_ launch: BenchSubject.Launch, log: String) throws -> pid_t {
        try ProcessLauncher.spawn(launch.arguments, environment: launch.environment,
                                  stdout: .file(log, append: false), stderr: .file(log, append: true))
    }

    /// Runs `body`, failing if the worker exits first or the run takes over three minutes.
    private func untilDone<T: Sendable>(_ worker: pid_t, log: String, phase: NIOLockedValueBox<String>,
                                        _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        let pid = worker
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                let deadline = ContinuousClock.now + .seconds(180)
                while ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(200))  // polling another process's liveness
                    var status: Int32 = 0
                    if waitpid(pid, &status, WNOHANG) == pid { throw BenchError("the worker exited early; see \(log)") }
                }
                throw BenchError("the run took over three minutes (\(phase.withLockedValue { $0 })); see \(log)")
            }
            defer { group.cancelAll() }
            guard let value = try await group.next() ?? nil else { throw BenchError("the run ended without figures") }
            return value
        }
    }
}

/// The largest resident set of a process tree, sampled every 250 ms until stopped.
final class PeakMemory: Sendable {
    private let sampler: Task<Void, Never>
    private let peak: NIOLockedValueBox<Int>

    init(pid: Int32) {
        let peak = NIOLockedValueBox(0)
        self.peak = peak
        sampler = Task.detached {
            while !Task.isCancelled {
                let now = ProcessTree.residentKiB(of: pid)
                peak.withLockedValue { $0 = max($0, now) }
                try? await Task.sleep(for: .milliseconds(250))  // the sampling period
            }
        }
    }

    var kib: Int { peak.withLockedValue { $0 } }

    func stop() { sampler.cancel() }
}

