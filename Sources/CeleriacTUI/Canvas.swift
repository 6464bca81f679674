/// Where a view draws: rows and columns of styled text. The curses terminal is one; an
/// in-memory grid (tests, frame timing) is another.
public protocol Canvas {
    var rows: Int { get }
    var columns: Int { get }
    /// Writes `text` at (`row`, `column`), clipped to the canvas.
    mutating func put(_ row: Int, _ column: Int, _ text: String, _ style: Style)
}

extension Canvas {
    /// Fills a whole row with `text` padded to the width, e.g. a bar.
    public mutating func fillRow(_ row: Int, _ text: String, _ style: Style) {
        put(row, 0, Text.fit(text, columns), style)
    }
}

/// A canvas in memory: what a frame would show, as plain text lines plus styles.
public struct TextGrid: Canvas {
    public let rows: Int
    public let columns: Int
    public private(set) var lines: [[Character]]
    public private(set) var styles: [[Style]]

    public init(rows: Int, columns: Int) {
        self.rows = max(0, rows)
        self.columns = max(0, columns)
        lines = Array(repeating: Array(repeating: " ", count: self.columns), count: self.rows)
        styles = Array(repeating: Array(repeating: .normal, count: self.columns), count: self.rows)
    }

    public mutating func put(_ row: Int, _ column: Int, _ text: String, _ style: Style) {
        guard row >= 0, row < rows, column < columns else { return }
        var x = column
        for character in text.replacingControlCharacters() {
            if x >= columns { break }
            if x >= 0 {
                lines[row][x] = character
                styles[row][x] = style
            }
            x += 1
        }
    }

    /// The frame as text, one line per row, trailing spaces trimmed.
    public var text: String {
        lines.map { String($0).replacingTrailingSpaces() }.joined(separator: "\n")
    }
}

extension String {
    func replacingTrailingSpaces() -> String {
        var copy = self
        while copy.last == " " { copy.removeLast() }
        return copy
    }
}
