/// The characters boxes, bars and sparklines are drawn with: Unicode where the terminal
/// speaks UTF-8, ASCII otherwise (`--ascii`, or a non-UTF-8 locale).
public struct Glyphs: Sendable {
    public var horizontal: Character
    public var vertical: Character
    public var sparks: [Character]
    public var barFull: Character
    public var barOther: Character
    public var ellipsisMark: Character
    public var mark: Character
    public var cursor: Character
    /// Before a child in a tree.
    public var branch: String

    public static let unicode = Glyphs(horizontal: "─", vertical: "│", sparks: Array("▁▂▃▄▅▆▇█"),
                                       barFull: "█", barOther: "▒", ellipsisMark: "…", mark: "●", cursor: "▏",
                                       branch: "└─ ")
    public static let ascii = Glyphs(horizontal: "-", vertical: "|", sparks: Array(" .:-=+*#"),
                                     barFull: "#", barOther: "=", ellipsisMark: "~", mark: "*", cursor: "_",
                                     branch: "`- ")

    /// True for the ASCII set: the terminal then draws only ASCII.
    public var isASCII: Bool { horizontal.isASCII }

    /// A sparkline of `values` scaled to their maximum.
    public func sparkline(_ values: [Int]) -> String {
        let top = max(values.max() ?? 0, 1)
        return String(values.map { value in
            value == 0 ? " " : sparks[min(sparks.count - 1, max(1, value * (sparks.count - 1) / top))]
        })
    }

    /// A bar `width` wide: `first` of `total` as full blocks, `second` as the other shade.
    public func bar(_ first: Int, _ second: Int, total: Int, width: Int) -> String {
        guard width > 0, total > 0 else { return String(repeating: " ", count: max(0, width)) }
        let a = min(width, Int((Double(first) / Double(total) * Double(width)).rounded(.up)))
        let b = min(width - a, Int((Double(second) / Double(total) * Double(width)).rounded(.up)))
        return String(repeating: barFull, count: a) + String(repeating: barOther, count: b)
            + String(repeating: " ", count: width - a - b)
    }

    /// `text` in ASCII: the dashboard's own punctuation mapped, anything else non-ASCII as "?".
    public static func asciiTransliteration(_ text: String) -> String {
        let clean = text.replacingControlCharacters()
        guard !clean.allSatisfy(\.isASCII) else { return clean }
        let table: [Character: Character] = ["—": "-", "–": "-", "·": "|", "…": "~", "─": "-", "│": "|", "●": "*",
                                              "▏": "_", "█": "#", "▒": "=", "└": "`", "◀": "<"]
        return String(clean.map { $0.isASCII ? $0 : table[$0] ?? "?" })
    }

    /// A section heading followed by a rule to `width`: "QUEUES ──────".
    public func heading(_ title: String, width: Int) -> String {
        let rest = max(0, width - title.count - 1)
        return title + " " + String(repeating: horizontal, count: rest)
    }
}
