import Celeriac
import CeleriacMonitor

/// Screen 1: the cluster at a glance — workers, tasks per state with rate sparklines, queue
/// depths, and failures grouped by exception and task (Enter opens a group).
enum OverviewScreen {
    static let states: [TaskState] = [.pending, .received, .started, .success, .failure, .retry, .revoked]

    static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext) {
        let model = context.model
        let alive = model.cluster.aliveWorkers(at: context.now).count
        let down = model.cluster.workers.count - alive
        let title = "Overview — \(alive) workers up, \(down) down · \(model.cluster.tasks.count) tasks held · "
            + "\(model.cluster.eventCount) events"
        Chrome.drawTop(&canvas, context, title: title)
        var row = 3
        row = drawStates(&canvas, context, from: row)
        row = drawQueues(&canvas, context, from: row + 1)
        drawFailures(&canvas, context, from: row + 1)
        Chrome.drawBottom(&canvas, context, hints: "j/k select a failure group  Enter list its tasks  " + Chrome.globalHints)
    }

    private static func drawStates<C: Canvas>(_ canvas: inout C, _ context: FrameContext, from start: Int) -> Int {
        let sparkWidth = max(10, min(60, canvas.columns - 40))
        let columns = Columns([("STATE", 10), ("TASKS", 8), ("PER SEC", 8), ("LAST \(sparkWidth) SECONDS", sparkWidth)],
                              total: canvas.columns - 1)
        canvas.put(start, 1, columns.header, .header)
        var row = start + 1
        for state in states {
            let rates = context.model.cluster.rates
            let series = rates.series(of: state, seconds: sparkWidth, now: context.now)
            let count = context.model.cluster.countsByState[state] ?? 0
            let perSecond = rates.rate(of: state, over: 10, now: context.now)
            canvas.put(row, 1, columns.line([state.rawValue, "\(count)", Text.rate(perSecond), ""], rightAligned: [1, 2]),
                       .normal)
            canvas.put(row, 1, Text.fit(state.rawValue, 10), .state(state))
            canvas.put(row, 1 + 10 + 8 + 8 + 3, context.glyphs.sparkline(series), .state(state))
            row += 1
        }
        return row
    }

    private static func drawQueues<C: Canvas>(_ canvas: inout C, _ context: FrameContext, from start: Int) -> Int {
        let queues = context.model.queues.values.sorted { $0.name < $1.name }
        canvas.put(start, 1, context.glyphs.heading("QUEUES — \(context.model.queueSourceLabel(now: context.now))", width: canvas.columns - 2), .header)
        var row = start + 1
        let limit = min(queues.count, 5)
        for queue in queues.prefix(limit) {
            let unacked = queue.unacknowledged ?? 0
            let total = max(queue.ready + unacked, 1)
            let bar = context.glyphs.bar(queue.ready, unacked, total: total, width: 20)
            let line = "\(Text.fit(queue.name, 24)) \(Text.right("\(queue.ready)", 7)) ready "
                + "\(Text.right(queue.unacknowledged.map(String.init) ?? "-", 7)) unacked  "
            canvas.put(row, 1, line, .normal)
            canvas.put(row, 1 + line.count, bar, .accent)
            row += 1
        }
        if queues.isEmpty {
            canvas.put(row, 3, "no queues known yet", .dim)
            row += 1
        } else if queues.count > limit {
            canvas.put(row, 3, "… \(queues.count - limit) more on screen 4", .dim)
            row += 1
        }
        return row
    }

    private static func drawFailures<C: Canvas>(_ canvas: inout C, _ context: FrameContext, from start: Int) {
        let groups = StoreData.failureGroups(context.model)
        let columns = Columns([("EXCEPTION", 24), ("TASK", 24), ("COUNT", 7), ("LAST", 8), ("LATEST", 10)],
                              total: canvas.columns - 2)
        canvas.put(start, 1, context.glyphs.heading("FAILURES BY EXCEPTION AND TASK (Enter lists them)", width: canvas.columns - 2),
                   .header)
        canvas.put(start + 1, 1, columns.header, .dim)
        let height = canvas.rows - 2 - (start + 2)
        guard !groups.isEmpty else {
            canvas.put(start + 2, 3, "no failures", .dim)
            return
        }
        let selected = min(context.state.selected(.overview), groups.count - 1)
        let first = pageStart(selected: selected, height: height, count: groups.count)
        for (offset, group) in groups.dropFirst(first).prefix(max(0, height)).enumerated() {
            let index = first + offset
            let line = columns.line([group.key.exceptionType, group.key.taskName, "\(group.value.count)",
                                     Text.clock(group.value.lastSeen), group.value.lastException ?? ""],
                                    rightAligned: [2])
            canvas.put(start + 2 + offset, 1, line, index == selected ? .selected : .failure)
        }
    }
}
