import Celeriac
import Foundation

/// How a worker runs: its name, the queues it consumes, how many tasks at once and in what
/// kind of pool, and whether it sends events. Defaults follow Celery's worker.
public struct WorkerOptions: Sendable {
    /// Before `%` expansion (`NodeName.expand`).
    public var nodeName = NodeName.defaultTemplate
    /// Queues to consume; empty means the app's default queue.
    public var queues: [String] = []
    /// Queues left out of `queues` (Celery's `-X`).
    public var excludedQueues: [String] = []
    public var concurrency = ProcessInfo.processInfo.activeProcessorCount
    public var pool = PoolKind.async
    /// Messages held per consumer = this × concurrency; nil takes the app's setting.
    public var prefetchMultiplier: Int?
    /// Task and worker events (`-E`).
    public var sendEvents = false
    /// Seconds between worker-heartbeat events (Celery's 2 s); nil sends none (`--without-heartbeat`).
    public var heartbeatInterval: Double? = 2
    /// `--statedb`: where revoked ids persist across restarts (`%n` etc. expanded).
    public var stateDB: String?
    /// `--pidfile`: where the process id is written while the worker runs.
    public var pidFile: String?
    /// `--autoscale MAX,MIN`: the pool starts at MIN and follows the load up to MAX.
    public var autoscale: (max: Int, min: Int)?
    /// Prefork: a child is replaced after this many tasks (`--max-tasks-per-child`).
    public var maxTasksPerChild: Int?
    /// Prefork: a child is replaced after a task leaves it holding more (`--max-memory-per-child`).
    public var maxMemoryPerChildKiB: Int?
    /// Prefork: the command that starts a pool child. By default this executable with this
    /// process's arguments and `PreforkChild.flag`, which the worker command understands.
    public var childArguments: [String]?

    public init() {}

    /// The queues to consume for `app`, in order, duplicates and exclusions removed.
    public func consumedQueues(for configuration: CeleriacConfiguration) -> [String] {
        let wanted = queues.isEmpty ? [configuration.defaultQueue] : queues
        var seen: Set<String> = []
        return wanted.filter { !excludedQueues.contains($0) && seen.insert($0).inserted }
    }
}

/// Where tasks run.
public enum PoolKind: String, Sendable, CaseIterable {
    /// Child processes of this executable, one task each at a time.
    case prefork
    /// One task at a time, in the consumer itself.
    case solo
    /// Swift concurrency: up to `concurrency` tasks in flight, for tasks that await.
    case async
    /// `concurrency` OS threads, for task bodies that block.
    case threads
}

extension WorkerOptions {
    /// This process started again as a pool child: its executable, its arguments, the flag.
    public static var defaultChildArguments: [String] {
        [currentExecutable] + CommandLine.arguments.dropFirst() + [PreforkChild.flag]
    }

    /// The running executable's path (posix_spawn does not search PATH for it).
    public static var currentExecutable: String {
        #if os(Linux)
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        #endif
        return Bundle.main.executablePath ?? CommandLine.arguments[0]
    }
}
