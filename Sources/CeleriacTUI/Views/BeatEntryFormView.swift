/// The edit form over the Beat screen: a box with one line per field, the focused one
/// with the cursor, the schedule grammar as a reminder, and why Enter was refused.
enum BeatEntryFormView {
    static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext, _ form: BeatEntryForm) {
        let width = min(canvas.columns - 4, 78)
        let height = 9
        guard width >= 30, canvas.rows >= height + 4 else { return }
        let top = max(2, (canvas.rows - height) / 2)
        let left = (canvas.columns - width) / 2
        let glyphs = context.glyphs
        let horizontal = String(glyphs.horizontal)
        let vertical = String(glyphs.vertical)
        let title = " Edit \(form.entry) on \(form.node) "
        let corners: (String, String, String, String) = glyphs.isASCII ? ("+", "+", "+", "+") : ("┌", "┐", "└", "┘")
        var heading = String((horizontal + title).prefix(width - 2))
        heading += String(repeating: horizontal, count: width - 2 - heading.count)
        canvas.put(top, left, corners.0 + heading + corners.1, .header)
        canvas.put(top + height - 1, left, corners.2 + String(repeating: horizontal, count: width - 2) + corners.3, .header)
        for row in 1..<(height - 1) {
            canvas.put(top + row, left, vertical + String(repeating: " ", count: width - 2) + vertical, .normal)
        }
        let inner = width - 4
        for field in BeatEntryForm.Field.allCases {
            let focused = field == form.focus
            let label = field.label.padding(toLength: 10, withPad: " ", startingAt: 0)
            let value = form.value(field) + (focused ? String(glyphs.cursor) : "")
            // The end of a long value stays in view, where typing happens.
            let room = inner - label.count
            let shown = value.count > room ? String(glyphs.ellipsisMark) + String(value.suffix(room - 1)) : value
            canvas.put(top + 1 + field.rawValue, left + 2, label, .bold)
            canvas.put(top + 1 + field.rawValue, left + 2 + label.count, Text.fit(shown, room), focused ? .selected : .normal)
        }
        canvas.put(top + 5, left + 2, Text.fit("every 30 s · cron 30 7 * * mon-fri · solar sunset 52.5 13.4", inner), .dim)
        if let problem = form.problem {
            canvas.put(top + 6, left + 2, Text.fit(problem, inner), .failure)
        }
        canvas.put(top + 7, left + 2, Text.fit("Tab/↑↓ field  Enter save  Esc cancel", inner), .dim)
    }
}
