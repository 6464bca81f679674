/// Draws one whole frame: the open overlay (help, task detail) or the current screen.
public enum DashboardView {
    public static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext) {
        guard canvas.rows >= 8, canvas.columns >= 40 else {
            canvas.put(0, 0, "celeriac top needs at least 40x8; this terminal is \(canvas.columns)x\(canvas.rows)", .warning)
            return
        }
        if context.state.showingHelp {
            HelpScreen.draw(&canvas, context)
        } else if let taskID = context.state.detailTaskID {
            TaskDetailScreen.draw(&canvas, context, taskID: taskID)
        } else {
            switch context.state.screen {
            case .overview: OverviewScreen.draw(&canvas, context)
            case .workers: WorkersScreen.draw(&canvas, context)
            case .tasks: TasksScreen.draw(&canvas, context)
            case .queues: QueuesScreen.draw(&canvas, context)
            case .beat: BeatScreen.draw(&canvas, context)
            case .events: EventsScreen.draw(&canvas, context)
            }
        }
    }

    /// Rows a list shows on the current screen, for PgUp/PgDn.
    public static func pageSize(rows: Int) -> Int { max(1, rows - 5) }
}
