import Celeriac
import CeleriacMonitor

/// Screen 4: each queue's ready and unacked messages as figures and a bar, its rates, and
/// the workers consuming it.
enum QueuesScreen {
    static func draw<C: Canvas>(_ canvas: inout C, _ context: FrameContext) {
        let queues = context.model.queues.values.sorted { $0.name < $1.name }
        Chrome.drawTop(&canvas, context, title: "Queues — \(queues.count) · from \(context.model.queueSourceLabel(now: context.now))")
        let columns = Columns([("QUEUE", 24), ("READY", 7), ("UNACKED", 7), ("CONSUMERS", 9), ("IN/S", 7), ("OUT/S", 7),
                               ("READY+UNACKED", 22), ("WORKERS", 10)], total: canvas.columns - 1)
        canvas.put(2, 1, columns.header, .header)
        let height = max(0, canvas.rows - 2 - 3)
        let selected = min(context.state.selected(.queues), max(0, queues.count - 1))
        let first = pageStart(selected: selected, height: height, count: queues.count)
        let largest = max(1, queues.map { $0.ready + ($0.unacknowledged ?? 0) }.max() ?? 1)
        for (offset, queue) in queues.dropFirst(first).prefix(height).enumerated() {
            let bar = context.glyphs.bar(queue.ready, queue.unacknowledged ?? 0, total: largest, width: 22)
            let cells = [queue.name, "\(queue.ready)", queue.unacknowledged.map(String.init) ?? "-", "\(queue.consumers)",
                         Text.rate(queue.publishRate), Text.rate(queue.deliverRate), bar,
                         context.model.consumers(of: queue.name).joined(separator: ", ")]
            let isSelected = first + offset == selected
            canvas.put(3 + offset, 1, columns.line(cells, rightAligned: [1, 2, 3, 4, 5]), isSelected ? .selected : .normal)
            if !isSelected {
                let barColumn = 1 + columns.widths.prefix(6).reduce(0) { $0 + $1 + 1 }
                canvas.put(3 + offset, barColumn, bar, .accent)
            }
        }
        if queues.isEmpty { canvas.put(3, 3, "no queues known yet — they come from the workers' active_queues", .dim) }
        Chrome.drawBottom(&canvas, context, hints: context.state.readOnly ? Chrome.globalHints
            : "P purge the selected queue  " + Chrome.globalHints)
    }
}
