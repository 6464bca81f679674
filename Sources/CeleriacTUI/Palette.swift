import CNCurses
import Celeriac

/// Colours for each style: 256-colour shades where the terminal has them, the 8 basic
/// colours otherwise, and attributes alone (bold, dim, reverse) without colour.
struct Palette {
    let colors: Int

    /// Colour pair numbers, one per foreground/background combination in use.
    private static let pairs: [(Int16, Int16, Int16, Int16)] = [
        // (256-colour fg, bg, 8-colour fg, bg); -1 = the terminal's default
        (117, -1, 6, -1),   // 1 header
        (252, 236, 7, 4),   // 2 tab
        (16, 39, 0, 6),     // 3 active tab
        (114, -1, 2, -1),   // 4 success
        (203, -1, 1, -1),   // 5 failure
        (221, -1, 3, -1),   // 6 warning / retry
        (81, -1, 6, -1),    // 7 info / started
        (75, -1, 4, -1),    // 8 accent / received
        (176, -1, 5, -1),   // 9 revoked / marked
        (244, -1, 7, -1),   // 10 pending / dim
        (111, -1, 4, -1),   // 11 custom states
    ]

    func install() {
        guard colors > 0 else { return }
        for (index, pair) in Self.pairs.enumerated() {
            let (fg, bg) = colors >= 256 ? (pair.0, pair.1) : (pair.2, pair.3)
            init_pair(Int16(index + 1), fg, bg)
        }
    }

    func attributes(for style: Style) -> Int32 {
        let bold = celeriac_attr_bold(), dim = celeriac_attr_dim(), reverse = celeriac_attr_reverse()
        func pair(_ n: Int32, _ extra: Int32 = 0) -> Int32 {
            colors > 0 ? celeriac_color_pair(n) | extra : extra
        }
        switch style {
        case .normal: return 0
        case .dim: return colors > 0 ? pair(10) : dim
        case .bold: return bold
        case .header: return pair(1, bold)
        case .selected: return reverse
        case .marked: return pair(9, bold)
        case .tab: return colors > 0 ? pair(2) : reverse
        case .activeTab: return colors > 0 ? pair(3, bold) : bold
        case .success: return pair(4)
        case .failure: return pair(5, bold)
        case .warning: return pair(6, bold)
        case .info: return pair(7)
        case .accent: return pair(8)
        case .state(let state): return stateAttributes(state, pair: pair)
        }
    }

    private func stateAttributes(_ state: TaskState, pair: (Int32, Int32) -> Int32) -> Int32 {
        switch state {
        case .success: return pair(4, 0)
        case .failure: return pair(5, celeriac_attr_bold())
        case .retry: return pair(6, 0)
        case .started: return pair(7, celeriac_attr_bold())
        case .received: return pair(8, 0)
        case .revoked, .rejected: return pair(9, 0)
        case .pending: return colors > 0 ? pair(10, 0) : celeriac_attr_dim()
        default: return pair(11, celeriac_attr_bold())
        }
    }
}
