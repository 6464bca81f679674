import Celeriac
import CeleriacMonitor

/// The frame around every screen: tabs and connection on top, a title line, the status or
/// input line and the key hints at the bottom.
enum Chrome {
    static func drawTop<C: Canvas>(_ canvas: inout C, _ context: FrameContext, title: String) {
        canvas.fillRow(0, "", .tab)
        var x = 0
        canvas.put(0, x, " celeriac top ", .activeTab)
        x += 15
        for screen in ScreenID.allCases {
            let label = " \(screen.rawValue) \(screen.title) "
            let active = screen == context.state.screen && context.state.detailTaskID == nil && !context.state.showingHelp
            canvas.put(0, x, label, active ? .activeTab : .tab)
            x += label.count
        }
        let connection = context.model.connection
        let right = " \(context.brokerLabel) · \(connection) "
        canvas.put(0, max(x + 1, canvas.columns - right.count), right, connection.isConnected ? .tab : .failure)
        canvas.fillRow(1, " " + title, .header)
    }

    static func drawBottom<C: Canvas>(_ canvas: inout C, _ context: FrameContext, hints: String) {
        let statusRow = canvas.rows - 2
        let cursor = String(context.glyphs.cursor)
        switch context.state.input {
        case .filter(let text): canvas.fillRow(statusRow, "/" + text + cursor, .bold)
        case .command(let text): canvas.fillRow(statusRow, ":" + text + cursor, .bold)
        case .prompt(let prompt): canvas.fillRow(statusRow, "\(prompt.question): \(prompt.text)\(cursor)  (Enter: go on, Esc: cancel)", .warning)
        case .confirm(let action): canvas.fillRow(statusRow, "\(action.question) [y/N]", .warning)
        case .form(let form): canvas.fillRow(statusRow, "Editing \(form.entry): Tab next field, Enter save, Esc cancel", .warning)
        case .browsing:
            if let status = context.model.status, context.now - status.at < 30 {
                canvas.fillRow(statusRow, " " + status.text, style(of: status.kind))
            }
        }
        canvas.fillRow(canvas.rows - 1, " " + hints, .dim)
    }

    static func style(of kind: StatusMessage.Kind) -> Style {
        switch kind {
        case .info: return .info
        case .success: return .success
        case .warning: return .warning
        case .error: return .failure
        }
    }

    static let globalHints = "1-6 screens  ? help  / filter  : command  q quit"
}
