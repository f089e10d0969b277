import Testing
import TerminalUI
import TerminalColors

@Suite struct ScreenTests {
    @Test func putClipsToTheWidthAndTheScreen() {
        var s = Screen(width: 10, height: 2)
        #expect(s.put("hello world", x: 2, y: 0) == 8)
        #expect(s.rowText(0) == "  hello wo")
        #expect(s.put("abcdef", x: 0, y: 1, maxWidth: 3) == 3)
        #expect(s.rowText(1) == "abc       ")
        #expect(s.put("x", x: 0, y: 5) == 0)  // off screen: ignored
    }

    @Test func wideCharactersTakeTwoCellsAndNeverSplit() {
        var s = Screen(width: 5, height: 1)
        #expect(s.put("日本語", x: 0, y: 0) == 4)  // the third would need cells 4 and 5
        #expect(s[1, 0].character == ScreenCell.continuationScalar)
        #expect(s.rowText(0) == "日本 ")
    }

    @Test(arguments: ["\u{1b}", "\u{7}", "\u{9b}", "\u{202e}", "\u{200b}", "\u{301}"])
    func invisibleOrControlCharactersShowAsQuestionMarks(text: String) {
        var s = Screen(width: 4, height: 1)
        s.put("a" + text + "b", x: 0, y: 0)
        #expect(s.rowText(0) == "a?b ")
    }

    @Test func keysFromRawCharacters() {
        #expect(Key.fromCharacter(13) == .enter && Key.fromCharacter(10) == .enter)
        #expect(Key.fromCharacter(27) == .escape && Key.fromCharacter(127) == .backspace)
        #expect(Key.fromCharacter(3) == .ctrl("c") && Key.fromCharacter(9) == .tab)
        #expect(Key.fromCharacter(0x41) == .char("A") && Key.fromCharacter(0xE9) == .char("é"))
    }

    @Test func paletteRoundTripsItsOwnColours() {
        for i in 16 ... 255 {
            let (r, g, b) = Palette.rgb(UInt8(i))
            #expect(Palette.rgb(Palette.nearest(r, g, b)) == Palette.rgb(UInt8(i)))
        }
    }

    @Test func theMemoryTerminalRecordsDrawsAndDeliversKeys() {
        let t = MemoryTerminal(columns: 20, rows: 4)
        t.pendingKeys = [.up, .char("q")]
        #expect(t.waitForKeys(timeoutMilliseconds: 0, wakeFD: -1) == [.up, .char("q")])
        #expect(t.waitForKeys(timeoutMilliseconds: 0, wakeFD: -1).isEmpty)
        var s = Screen(width: 20, height: 4)
        s.put("hi", x: 0, y: 0)
        t.draw(s)
        #expect(t.screen.text == "hi\n\n\n" && t.drawCount == 1)
    }
}
