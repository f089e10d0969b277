import Testing
import TerminalUI

@Suite struct TextFitTests {
    @Test func fitsAreUntouchedAndCutsAreMarked() {
        #expect(TextFit.middle("short", 10) == "short")
        #expect(TextFit.middle("abcdefghijkl", 7) == "abc\u{2026}jkl")
        #expect(TextFit.head("abcdefghijkl", 5) == "abcd\u{2026}")
        #expect(TextFit.head("abcdefghijkl", 5, ascii: true) == "abcd~")
        #expect(TextFit.width("日本") == 4 && TextFit.width(TextFit.middle("日本語のファイル", 7)) <= 7)
    }

    @Test func pathsKeepTheirMostSpecificPart() {
        #expect(TextFit.path("/tmp/newcomer/Assets", 20) == "/tmp/newcomer/Assets")
        #expect(TextFit.path("/tmp/newcomer/Assets", 12) == "\u{2026}omer/Assets")
        #expect(TextFit.path("/home/user/pictures/holiday.png", 14) == "\u{2026}s/holiday.png")
        // A name longer than the room keeps both of its ends (the extension survives).
        #expect(TextFit.path("/a/very-long-file-name.png", 11) == "very-\u{2026}e.png")
        #expect(TextFit.path("/work/main/Assets", 7) == "\u{2026}Assets")  // never the bare name without a mark
        for w in 1 ... 30 { #expect(TextFit.width(TextFit.path("/x/y/some/deep/folder/file.jpeg", w)) <= w) }
    }

    @Test func wrapBreaksAtSpacesAndSplitsLongWords() {
        #expect(TextFit.wrap("one two three four", 9) == ["one two", "three", "four"])
        #expect(TextFit.wrap("abcdefghij", 4) == ["abcd", "efgh", "ij"])
        #expect(TextFit.wrap("", 5) == [""])
    }
}
