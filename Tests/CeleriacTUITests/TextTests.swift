import Testing
@testable import CeleriacTUI

@Suite struct TextTests {
    @Test func fitPadsAndCutsWithAnEllipsis() {
        #expect(Text.fit("abc", 5) == "abc  ")
        #expect(Text.fit("abcdef", 4) == "abc…")
        #expect(Text.fit("a\nb\u{1b}[31m", 8) == "a b [31m")
        #expect(Text.fit("a\u{9b}b", 3) == "a b")
        #expect(Text.fit("x", 0) == "")
    }

    @Test func durationsReadShort() {
        #expect(Text.duration(0.35) == "350ms")
        #expect(Text.duration(1.25) == "1.2s" || Text.duration(1.25) == "1.3s")
        #expect(Text.duration(125) == "2m05s")
        #expect(Text.duration(3 * 3600 + 720) == "3h12m")
        #expect(Text.duration(nil) == "-")
    }

    @Test func sparklinesScaleToTheirMaximum() {
        #expect(Glyphs.unicode.sparkline([0, 1, 7]) == " ▂█")
        #expect(Glyphs.ascii.sparkline([0, 0]) == "  ")
        #expect(Glyphs.unicode.bar(1, 1, total: 4, width: 8) == "██▒▒    ")
    }
}
