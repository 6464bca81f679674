import Celeriac
import CeleriacMonitor

/// What every view draws from: the model (read under the store's lock for one frame), the
/// dashboard's own state, the glyphs and the time.
public struct FrameContext {
    public let model: MonitorModel
    public let state: DashboardState
    public let glyphs: Glyphs
    public let now: Double
    public let brokerLabel: String

    public init(model: MonitorModel, state: DashboardState, glyphs: Glyphs, now: Double, brokerLabel: String) {
        self.model = model
        self.state = state
        self.glyphs = glyphs
        self.now = now
        self.brokerLabel = brokerLabel
    }
}

/// A table's columns: a title and a width each; the last takes what is left.
struct Columns {
    var titles: [String]
    var widths: [Int]

    init(_ columns: [(String, Int)], total: Int) {
        titles = columns.map(\.0)
        widths = columns.map(\.1)
        let used = widths.dropLast().reduce(0) { $0 + $1 + 1 }
        widths[widths.count - 1] = max(widths.last ?? 0, total - used - 1)
    }

    /// The cells joined with one space, each fitted to its column.
    func line(_ cells: [String], rightAligned: Set<Int> = []) -> String {
        zip(cells.indices, cells).map { index, cell in
            rightAligned.contains(index) ? Text.right(cell, widths[index]) : Text.fit(cell, widths[index])
        }.joined(separator: " ")
    }

    var header: String { line(titles) }
}

/// The first row of the page that keeps `selected` visible in `height` rows.
func pageStart(selected: Int, height: Int, count: Int) -> Int {
    guard height > 0, count > height else { return 0 }
    return min(max(0, selected - height / 2), count - height)
}
