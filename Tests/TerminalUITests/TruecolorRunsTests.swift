import Testing
@testable import TerminalUI
import TerminalColors

/// The ncurses backend's 24-bit pass: which cells it sends itself after ncurses' refresh.
@Suite struct TruecolorRunsTests {
    /// Row 0: "ab" plain, two RGB half blocks, "c" in palette colour 3, one RGB cell;
    /// row 1: a wide character in RGB.
    static func screen() -> Screen {
        var s = Screen(width: 8, height: 2)
        s.put("ab", x: 0, y: 0)
        s[2, 0] = ScreenCell("\u{2580}", Style(foreground: .rgb(255, 135, 0), background: .rgb(1, 2, 3)))
        s[3, 0] = ScreenCell("\u{2580}", Style(foreground: .rgb(255, 135, 0), background: .rgb(4, 5, 6)))
        s.put("c", x: 4, y: 0, style: Style(foreground: 3))
        s[5, 0] = ScreenCell("x", Style(background: .rgb(9, 9, 9)))
        s.put("日", x: 1, y: 1, style: Style(foreground: .rgb(7, 8, 9)))
        return s
    }

    @Test func eachRunOfRGBCellsGoesOutAtItsPlaceInTwentyFourBitColour() {
        let out = NcursesTerminal.truecolorRuns(Self.screen(), rows: [true, true])
        let e = "\u{1b}["
        #expect(out == "\(e)1;3H\(e)0;38;2;255;135;0;48;2;1;2;3m\u{2580}\(e)0;38;2;255;135;0;48;2;4;5;6m\u{2580}\(e)0m"
            + "\(e)1;6H\(e)0;48;2;9;9;9mx\(e)0m"
            + "\(e)2;2H\(e)0;38;2;7;8;9m日\(e)0m")
    }

    @Test func onlyTheRowsNcursesWroteGoOutAgain() {
        let out = NcursesTerminal.truecolorRuns(Self.screen(), rows: [false, true])
        #expect(!out.contains("\u{1b}[1;") && out.hasPrefix("\u{1b}[2;2H"))
        #expect(NcursesTerminal.truecolorRuns(Self.screen(), rows: [false, false]).isEmpty)
        #expect(NcursesTerminal.truecolorRuns(Screen(width: 4, height: 1), rows: [true]).isEmpty, "no RGB cell")
    }

    /// Half of a wide character covered (an overlay): what is sent still lands in the
    /// columns it belongs to, and never half a character.
    @Test func aHalfCoveredWideCharacterIsLeftToNcurses() {
        let rgb = Style(foreground: .rgb(7, 8, 9))
        var s = Screen(width: 6, height: 1)
        s.put("日", x: 0, y: 0, style: rgb)
        s[1, 0] = ScreenCell("a", Style(reverse: true))  // its second half covered
        s.put("日", x: 2, y: 0, style: rgb)
        s[2, 0] = ScreenCell("b", rgb)  // its first half covered: an orphan continuation at 3
        s[4, 0] = ScreenCell("c", rgb)
        let out = NcursesTerminal.truecolorRuns(s, rows: [true])
        #expect(out == "\u{1b}[1;3H\u{1b}[0;38;2;7;8;9mb\u{1b}[0m\u{1b}[1;5H\u{1b}[0;38;2;7;8;9mc\u{1b}[0m", "\(out.debugDescription)")
    }

    @Test func aControlCharacterInACellNeverReachesTheTerminal() {
        var s = Screen(width: 3, height: 1)
        s[0, 0] = ScreenCell("\u{1b}", Style(foreground: .rgb(1, 1, 1)))
        s[1, 0] = ScreenCell("\u{9b}", Style(foreground: .rgb(1, 1, 1)))
        let out = NcursesTerminal.truecolorRuns(s, rows: [true])
        #expect(out == "\u{1b}[1;1H\u{1b}[0;38;2;1;1;1m??\u{1b}[0m")
    }
}
