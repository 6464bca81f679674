/// Screen 5: the beat schedule, once a beat reports one.
enum BeatScreen {
    static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext) {
        Chrome.drawTop(&canvas, context, title: "Beat — no beat is reporting")
        let lines = [
            "No beat is reporting.",
            "",
            "Celery's beat sends no events, so its schedule cannot be seen from the broker.",
            "celeriac beat (coming in a later release) reports its entries and their next run here.",
        ]
        for (offset, line) in lines.enumerated() { canvas.put(3 + offset, 3, line, offset == 0 ? .bold : .dim) }
        Chrome.drawBottom(&canvas, context, hints: Chrome.globalHints)
    }
}
