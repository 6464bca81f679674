import Foundation
import Celeriac
import CeleriacMonitor

/// Screen 2: every worker with its pool, load and heartbeat; offline ones dimmed.
enum WorkersScreen {
    static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext) {
        let model = context.model
        let names = StoreData.workerNames(model)
        Chrome.drawTop(&canvas, context, title: "Workers — \(names.count) known, \(model.cluster.aliveWorkers(at: context.now).count) up")
        let columns = Columns([("WORKER", 26), ("STATUS", 7), ("POOL", 8), ("CONCURRENCY", 12), ("PROCESSED", 9),
                               ("ACTIVE", 6), ("PREFETCH", 8), ("LOAD", 14), ("HEARTBEAT", 9), ("PIDS", 14), ("QUEUES", 10)],
                              total: canvas.columns - 1)
        canvas.put(2, 1, columns.header, .header)
        let height = canvas.rows - 2 - 3
        let selected = min(context.state.selected(.workers), max(0, names.count - 1))
        let first = pageStart(selected: selected, height: height, count: names.count)
        for (offset, name) in names.dropFirst(first).prefix(max(0, height)).enumerated() {
            let worker = model.cluster.workers[name]
            let pool = model.pools[name]
            let alive = worker?.isAlive(at: context.now) ?? false
            let status = worker == nil ? "no -E" : (alive ? "online" : "offline")
            let processed = worker?.processed.map(String.init) ?? "-"
            let active = worker?.active.map(String.init) ?? "-"
            let load = worker.map(loadText) ?? "-"
            let heartbeat = Text.duration(worker?.heartbeatAge(at: context.now))
            let queues = pool?.queues.joined(separator: ",") ?? "-"
            let prefetch = pool?.prefetchCount.map(String.init) ?? "-"
            let cells: [String] = [name, status, pool?.kind ?? "-", concurrency(pool), processed, active, prefetch, load,
                                   heartbeat, processes(pool), queues]
            let style: Style = first + offset == selected ? .selected : (alive || worker == nil ? .normal : .dim)
            canvas.put(3 + offset, 1, columns.line(cells, rightAligned: [4, 5, 6, 8]), style)
        }
        if names.isEmpty { canvas.put(3, 3, "no workers seen yet — waiting for heartbeats and stats replies", .dim) }
        Chrome.drawBottom(&canvas, context, hints: context.state.readOnly
            ? "Enter tasks of this worker  " + Chrome.globalHints
            : "+/- grow/shrink  a autoscale  c/C add/cancel queue  L rate limit  S shutdown  Enter its tasks  " + Chrome.globalHints)
    }

    static func loadText(_ worker: WorkerRecord) -> String {
        worker.loadAverage.prefix(3).map { String(format: "%.2f", $0) }.joined(separator: " ")
    }

    /// The pool's processes: a prefork pool's children, or the worker itself.
    static func processes(_ pool: WorkerPool?) -> String {
        guard let pool, !pool.processes.isEmpty else { return "-" }
        return pool.processes.map(String.init).joined(separator: ",")
    }

    /// "4", or "3 (1-8)" under autoscale: current processes, then min–max.
    static func concurrency(_ pool: WorkerPool?) -> String {
        guard let pool else { return "-" }
        if let scaler = pool.autoscaler { return "\(scaler.current) (\(scaler.min)-\(scaler.max))" }
        return pool.maxConcurrency.map(String.init) ?? "-"
    }
}
