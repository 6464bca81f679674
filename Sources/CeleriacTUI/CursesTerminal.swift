import CNCurses
import Celeriac
import Foundation

/// The real terminal, through ncursesw: a canvas for frames and a source of keys. Frames are
/// drawn into ncurses' virtual screen and sent with one refresh, which writes only the cells
/// that changed. Every call must come from the one thread that made the terminal.
public struct CursesTerminal: Canvas {
    public private(set) var rows: Int
    public private(set) var columns: Int
    private let palette: Palette
    /// Under --ascii or a non-UTF-8 locale: every character drawn is ASCII.
    private let asciiOnly: Bool

    /// Takes over the terminal. `colors`: false under NO_COLOR or --no-color.
    public init(colors: Bool, asciiOnly: Bool = false) throws(TerminalError) {
        self.asciiOnly = asciiOnly
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else { throw .notATerminal }
        celeriac_set_locale()  // before initscr, so UTF-8 box drawing and text come out whole
        guard let term = ProcessInfo.processInfo.environment["TERM"], !term.isEmpty, term != "dumb" else {
            throw .unknownTerminal(ProcessInfo.processInfo.environment["TERM"] ?? "")
        }
        guard celeriac_newterm() != 0 else { throw .unknownTerminal(term) }
        raw()  // Ctrl-C arrives as a key, so quitting always restores the terminal
        noecho()
        _ = celeriac_keypad(1)
        curs_set(0)
        set_escdelay(25)
        var useColors = colors && has_colors()
        if useColors {
            useColors = start_color() == OK
            use_default_colors()
        }
        palette = Palette(colors: useColors ? Int(celeriac_colors()) : 0)
        palette.install()
        rows = Int(celeriac_lines())
        columns = Int(celeriac_columns())
    }

    /// Gives the terminal back as it was.
    public func end() {
        curs_set(1)
        endwin()
    }

    /// The next key within `milliseconds`, or nil.
    public mutating func readKey(timeout milliseconds: Int32) -> Key? {
        celeriac_timeout(milliseconds)
        let code = celeriac_getch()
        guard code != ERR else { return nil }
        switch code {
        case celeriac_key_resize():
            rows = Int(celeriac_lines())
            columns = Int(celeriac_columns())
            return .resize
        case celeriac_key_up(): return .up
        case celeriac_key_down(): return .down
        case celeriac_key_left(): return .left
        case celeriac_key_right(): return .right
        case celeriac_key_page_up(): return .pageUp
        case celeriac_key_page_down(): return .pageDown
        case celeriac_key_home(): return .home
        case celeriac_key_end(): return .end
        case celeriac_key_enter(): return .enter
        case celeriac_key_backspace(), celeriac_key_delete(): return .backspace
        default: return Key(byte: code)
        }
    }

    public mutating func beginFrame() {
        rows = Int(celeriac_lines())
        columns = Int(celeriac_columns())
        _ = celeriac_erase()
    }

    public func endFrame() {
        _ = celeriac_refresh()
    }

    public mutating func put(_ row: Int, _ column: Int, _ text: String, _ style: Style) {
        guard row >= 0, row < rows, column < columns, !text.isEmpty else { return }
        // Nothing from the network reaches the terminal raw.
        var clipped = Substring(asciiOnly ? Glyphs.asciiTransliteration(text) : text.replacingControlCharacters())
        var x = column
        if x < 0 {
            clipped = clipped.dropFirst(-x)
            x = 0
        }
        clipped = clipped.prefix(columns - x)
        // The bottom-right cell cannot be written without scrolling: leave it out.
        if row == rows - 1, x + clipped.count >= columns { clipped = clipped.dropLast() }
        _ = celeriac_attrset(palette.attributes(for: style))
        _ = celeriac_mvaddstr(Int32(row), Int32(x), String(clipped))
        _ = celeriac_attrset(0)
    }
}

public enum TerminalError: Error, Sendable, Hashable, CustomStringConvertible {
    case notATerminal
    case unknownTerminal(String)

    public var description: String {
        switch self {
        case .notATerminal:
            return "celeriac top needs a terminal on standard input and output; for a pipe use `celeriac events`"
        case .unknownTerminal(let term):
            return "the terminal type '\(term)' is unknown to ncurses; set TERM (e.g. TERM=xterm-256color)"
        }
    }
}
