/// A key press, decoded from the terminal; the dashboard's logic sees only these.
public enum Key: Sendable, Hashable {
    case character(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, backspace, tab
    /// Ctrl with a letter, e.g. `.control("c")`.
    case control(Character)
    /// The terminal changed size.
    case resize

    /// Decodes the code ncurses' getch returned for ordinary bytes (function keys are mapped
    /// by the terminal, which knows ncurses' KEY_ values).
    public init?(byte code: Int32) {
        switch code {
        case 10, 13: self = .enter
        case 27: self = .escape
        case 8, 127: self = .backspace
        case 9: self = .tab
        case 1...26: self = .control(Character(UnicodeScalar(UInt8(code) + 96)))
        case 32...126: self = .character(Character(UnicodeScalar(UInt8(code))))
        default: return nil
        }
    }
}
