/// Screen 6: the raw event stream, newest at the bottom; p pauses it, j/k scroll back.
enum EventsScreen {
    static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext) {
        let log = context.model.eventLog
        let paused = context.state.eventsPausedAt
        var title = "Events — \(log.total) received"
        if let paused { title += " · paused at \(paused) (p resumes)" }
        Chrome.drawTop(&canvas, context, title: title)
        let height = max(0, canvas.rows - 2 - 2)
        let lines = log.lines(last: height, endingAt: paused)
        for (offset, line) in lines.enumerated() {
            canvas.put(2 + offset, 1, Text.fit(line, canvas.columns - 2), style(of: line))
        }
        if lines.isEmpty { canvas.put(2, 3, "no events yet", .dim) }
        Chrome.drawBottom(&canvas, context, hints: "p pause/resume  j/k scroll  " + Chrome.globalHints)
    }

    static func style(of line: String) -> Style {
        if line.contains(" task-failed ") { return .failure }
        if line.contains(" task-succeeded ") { return .success }
        if line.contains(" task-retried ") || line.contains(" task-revoked ") { return .warning }
        if line.contains(" worker-heartbeat ") { return .dim }
        return .normal
    }
}
