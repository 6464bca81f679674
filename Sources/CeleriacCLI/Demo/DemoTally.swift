import Celeriac
import Foundation

/// What a headless demo saw, from the cluster's own events and the workers' stats: tasks
/// sent, the states tasks reached under Celery's names, tasks run per worker, the pool sizes
/// each worker reported, and the wait from task-sent to task-started.
struct DemoTally: Sendable {
    private(set) var sent = 0
    /// Distinct tasks per state reached (SUCCESS, FAILURE, RETRY, REVOKED, custom ones).
    private var tasksByState: [String: Set<String>] = [:]
    private var sentAt: [String: Double] = [:]
    private var startedAt: [String: Double] = [:]
    private var runsByWorker: [String: Int] = [:]
    private var poolSizes: [String: PoolSizes] = [:]
    private(set) var onlineWorkers: Set<String> = []
    private(set) var offlineWorkers: Set<String> = []

    struct PoolSizes: Sendable, Equatable {
        var kind: String
        var smallest: Int
        var largest: Int
    }

    /// The states Celery's own tools name, in the order the summary prints them.
    static let celeryStates = ["SUCCESS", "FAILURE", "RETRY", "REVOKED"]

    mutating func record(_ event: CeleryEvent) {
        let id = event["uuid"]?.stringValue ?? ""
        switch event.type {
        case "task-sent":
            sent += 1
            // A countdown's wait is the caller's choice, not the cluster's: left out.
            let eta = event["eta"].flatMap { $0 == .null ? nil : $0 }
            if eta == nil, let timestamp = event.timestamp { sentAt[id] = timestamp }
        case "task-started":
            if startedAt[id] == nil, let timestamp = event.timestamp { startedAt[id] = timestamp }
            if let hostname = event.hostname { runsByWorker[hostname, default: 0] += 1 }
        case "task-succeeded": reached("SUCCESS", id)
        case "task-failed": reached("FAILURE", id)
        case "task-retried": reached("RETRY", id)
        case "task-revoked": reached("REVOKED", id)
        case "task-progress":
            if let state = event["state"]?.stringValue { reached(state, id) }
        case "worker-online":
            if let hostname = event.hostname { onlineWorkers.insert(hostname) }
        case "worker-offline":
            if let hostname = event.hostname { offlineWorkers.insert(hostname) }
        default:
            break
        }
    }

    /// A worker's stats reply: its pool's size now (processes for prefork, else concurrency).
    mutating func record(stats: WorkerStats, of worker: String) {
        guard let pool = stats.pool else { return }
        let kind = pool.implementation.map(Self.poolKind) ?? "pool"
        let size = kind == "prefork" ? pool.processes.count : pool.maxConcurrency ?? pool.processes.count
        var sizes = poolSizes[worker] ?? PoolSizes(kind: kind, smallest: size, largest: size)
        sizes.smallest = min(sizes.smallest, size)
        sizes.largest = max(sizes.largest, size)
        poolSizes[worker] = sizes
    }

    func count(_ state: String) -> Int { tasksByState[state]?.count ?? 0 }

    /// Custom states seen (PROGRESS and the like), sorted.
    var customStates: [String] { tasksByState.keys.filter { !Self.celeryStates.contains($0) }.sorted() }

    /// Seconds from task-sent to the first task-started, sorted, for tasks with both and no ETA.
    var waits: [Double] {
        startedAt.compactMap { id, started in sentAt[id].map { max(0, started - $0) } }.sorted()
    }

    func summary(seconds: Double, broker: String) -> String {
        var lines = [String(format: "Summary after %.0f s on %@", seconds, broker)]
        func line(_ label: String, _ value: String) { lines.append("  \(label.padding(toLength: 22, withPad: " ", startingAt: 0))\(value)") }
        line("tasks sent", "\(sent)")
        for state in Self.celeryStates + customStates { line(state, "\(count(state))") }
        for worker in Set(runsByWorker.keys).union(poolSizes.keys).sorted() {
            var text = "\(runsByWorker[worker] ?? 0) tasks run"
            if let sizes = poolSizes[worker] {
                let range = sizes.smallest == sizes.largest ? "\(sizes.largest)" : "\(sizes.smallest)–\(sizes.largest)"
                text += ", \(sizes.kind) pool of \(range)"
            }
            line(worker, text)
        }
        let waits = waits
        if waits.isEmpty {
            line("sent → started", "no task both sent and started")
        } else {
            let percentile = { (p: Double) in waits[min(waits.count - 1, Int(Double(waits.count) * p))] * 1000 }
            line("sent → started", String(format: "p50 %.1f ms, p99 %.1f ms (%d tasks)", percentile(0.5), percentile(0.99), waits.count))
        }
        return lines.joined(separator: "\n")
    }

    private mutating func reached(_ state: String, _ id: String) {
        tasksByState[state, default: []].insert(id)
    }

    /// Celery reports the pool's class ("celery.concurrency.prefork:TaskPool"); ours its kind.
    private static func poolKind(_ implementation: String) -> String {
        let lower = implementation.lowercased()
        for kind in ["prefork", "async", "threads", "solo"] where lower.contains(kind) { return kind }
        return implementation
    }
}
