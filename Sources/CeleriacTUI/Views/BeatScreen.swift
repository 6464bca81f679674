import Celeriac
import CeleriacMonitor

/// Screen 5: the schedule of every `celeriac beat` heard from — each entry's schedule in
/// words, its next run with a countdown, its last run and run count. Enter jumps to the task an
/// entry sent last on the Tasks screen; `e` opens the edit form over it.
enum BeatScreen {
    static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext) {
        let rows = context.model.beatRows
        guard !rows.isEmpty else { return drawEmpty(&canvas, context) }
        let beats = context.model.beats.keys.sorted().compactMap { context.model.beats[$0] }
        let states = beats.map { "\($0.hostname) \($0.isAlive(at: context.now) ? "alive" : "silent")" }.joined(separator: ", ")
        Chrome.drawTop(&canvas, context, title: "Beat — \(rows.count) entries · \(states)")
        let columns = Columns([("ENTRY", 22), ("TASK", 18), ("SCHEDULE", scheduleWidth(rows, columns: canvas.columns)),
                               ("NEXT RUN", 20), ("LAST RUN", 10), ("RUNS", 6), ("BEAT", 10)], total: canvas.columns - 1)
        canvas.put(2, 1, columns.header, .header)
        let height = max(0, canvas.rows - 2 - 3)
        let selected = min(context.state.selected(.beat), max(0, rows.count - 1))
        let first = pageStart(selected: selected, height: height, count: rows.count)
        for (offset, row) in rows.dropFirst(first).prefix(height).enumerated() {
            let entry = row.entry
            let alive = row.beat.isAlive(at: context.now)
            let cells = [entry.name, entry.task, entry.enabled ? entry.schedule : "(disabled) " + entry.schedule,
                         // Before its first run the beat counts from when it first saw the entry: not a run.
                         nextRun(entry, alive: alive, now: context.now),
                         entry.totalRunCount == 0 ? "-" : Text.clock(entry.lastRunAt), "\(entry.totalRunCount)",
                         row.beat.hostname]
            let style: Style = first + offset == selected ? .selected : !alive || !entry.enabled ? .dim : .normal
            canvas.put(3 + offset, 1, columns.line(cells, rightAligned: [5]), style)
        }
        Chrome.drawBottom(&canvas, context, hints: context.state.readOnly ? "Enter go to its last task  " + Chrome.globalHints
            : "Enter go to its last task  e edit  d disable/enable  n run now  " + Chrome.globalHints)
        if case .form(let form) = context.state.input { BeatEntryFormView.draw(&canvas, context, form) }
    }

    /// 28 columns, or as many as the longest schedule needs where the terminal has room: a
    /// crontab or solar entry, disabled, runs past 28 ("(disabled) at 07:30 on mon-fri").
    static func scheduleWidth(_ rows: [(beat: BeatRecord, entry: BeatRecord.Entry)], columns: Int) -> Int {
        let longest = rows.map { ($0.entry.enabled ? 0 : "(disabled) ".count) + $0.entry.schedule.count }.max() ?? 0
        let others = 22 + 18 + 20 + 10 + 6 + 10 + 7  // the other columns at their least, and the gaps
        return max(28, min(longest, columns - 1 - others))
    }

    /// "14:32:05 (in 12s)", "due now", or why there is none.
    static func nextRun(_ entry: BeatRecord.Entry, alive: Bool, now: Double) -> String {
        guard entry.enabled else { return "-" }
        guard alive else { return "beat silent" }
        guard let next = entry.nextRunAt else { return "never" }
        let left = next - now
        return left <= 0 ? "due now" : "\(Text.clock(next)) (in \(Text.duration(left)))"
    }

    private static func drawEmpty<C: Canvas>(_ canvas: inout C, _ context: FrameContext) {
        Chrome.drawTop(&canvas, context, title: "Beat — no beat is reporting")
        let lines = [
            "No beat is reporting.",
            "",
            "celeriac beat sends its schedule here (beat-heartbeat events) and each task it sends.",
            "Celery's own beat sends no events, so its schedule cannot be seen from the broker.",
        ]
        for (offset, line) in lines.enumerated() { canvas.put(3 + offset, 3, line, offset == 0 ? .bold : .dim) }
        Chrome.drawBottom(&canvas, context, hints: Chrome.globalHints)
    }
}
