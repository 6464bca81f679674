import Celeriac
import CeleriacMonitor

/// Screen 3: tasks, newest first (or as sorted), filtered, with marks; only the visible rows
/// are read, so a frame costs the same with 100 tasks or 100,000.
enum TasksScreen {
    static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext) {
        let state = context.state
        let query = state.query
        var title = "Tasks — \(context.model.taskIndex.ids.count) of \(context.model.cluster.tasks.count)"
        if let filter = query.state { title += " · state \(filter.rawValue)" }
        if !query.text.isEmpty { title += " · filter \"\(query.text)\"" }
        if let group = query.failureGroup { title += " · \(group.exceptionType) in \(group.taskName)" }
        title += " · sort \(query.sort.rawValue) \(query.descending ? "desc" : "asc")"
        if state.follow { title += " · follow" }
        if !state.marks.isEmpty { title += " · \(state.marks.count) marked" }
        Chrome.drawTop(&canvas, context, title: title)

        let idWidth = canvas.columns >= 140 ? 36 : 13
        let columns = Columns([(" ", 1), ("ID", idWidth), ("NAME", 22), ("STATE", 9), ("WORKER", 20), ("RECEIVED", 8),
                               ("RUNTIME", 7), ("RETRY", 5), ("ARGS", 10)], total: canvas.columns - 1)
        canvas.put(2, 1, columns.header, .header)
        let height = max(0, canvas.rows - 2 - 3)
        let total = context.model.taskIndex.ids.count
        let selected = min(state.selected(.tasks), max(0, total - 1))
        let first = pageStart(selected: selected, height: height, count: total)
        let page = context.model.taskPage(offset: first, limit: height)
        for (offset, task) in page.rows.enumerated() {
            let marked = state.marks.contains(task.id)
            let cells = [marked ? String(context.glyphs.mark) : " ", task.id, task.name ?? "?", task.state.rawValue,
                         task.worker ?? "-", Text.clock(receivedAt(task)), Text.duration(task.runtime),
                         task.retries.map(String.init) ?? "-", [task.args, task.kwargs.flatMap { $0 == "{}" ? nil : $0 }]
                             .compactMap { $0 }.joined(separator: " ")]
            let row = 3 + offset
            if first + offset == selected {
                canvas.put(row, 1, columns.line(cells, rightAligned: [6, 7]), .selected)
            } else {
                canvas.put(row, 1, columns.line(cells, rightAligned: [6, 7]), marked ? .marked : .normal)
                let stateColumn = 1 + columns.widths.prefix(3).reduce(0) { $0 + $1 + 1 }
                canvas.put(row, stateColumn, Text.fit(task.state.rawValue, 9), .state(task.state))
            }
        }
        if total == 0 {
            let empty = query.isFiltered ? "no task matches the filter (x clears it)"
                : "no tasks yet — workers send task events when started with -E (enable_events is broadcast every minute)"
            canvas.put(3, 3, empty, .dim)
        }
        Chrome.drawBottom(&canvas, context, hints: context.state.readOnly
            ? "Enter detail  t state  s sort  F follow  x clear  " + Chrome.globalHints
            : "Enter detail  space mark  * mark all  r revoke  T terminate  R retry  t state  s sort  F follow  x clear  "
                + Chrome.globalHints)
    }

    /// When a worker received it, else the first event's time.
    static func receivedAt(_ task: TaskRecord) -> Double? {
        task.timeline.first { $0.type == "task-received" }?.timestamp ?? task.timeline.first?.timestamp
    }
}
