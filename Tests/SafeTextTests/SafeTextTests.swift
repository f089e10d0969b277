import SafeText
import Testing

@Suite struct SafeTextTests {
    @Test(arguments: [
        ("plain/name.png", "plain/name.png"),
        ("a\u{1b}[31mred", "a\\x1b[31mred"),
        ("line\nbreak\ttab\r", "line\\nbreak\\ttab\\r"),
        ("back\\slash", "back\\\\slash"),
        ("c1\u{9b}2J", "c1\\u{9b}2J"),
        ("del\u{7f}", "del\\x7f"),
        ("bidi\u{202e}gnp.exe", "bidi\\u{202e}gnp.exe"),
        ("iso\u{2066}late\u{2069}", "iso\\u{2066}late\\u{2069}"),
        ("sep\u{2028}\u{2029}", "sep\\u{2028}\\u{2029}"),
        ("ünïcødé 日本", "ünïcødé 日本"),
    ])
    func terminalEscapes(input: String, expected: String) {
        #expect(TerminalText.escape(input) == expected)
        #expect(!TerminalText.escape(input).unicodeScalars.contains { TerminalText.isUnsafe($0) })
    }

    @Test func jsonQuotesEverythingUnsafe() {
        #expect(JSONText.quoted("a\"b\\c\nd") == "\"a\\\"b\\\\c\\nd\"")
        #expect(JSONText.quoted("\u{1b}\u{9b}\u{202e}\u{2028}\u{2029}") == "\"\\u001b\\u009b\\u202e\\u2028\\u2029\"")
        #expect(JSONText.quoted("日本") == "\"日本\"")
    }

    @Test func hex16IsFixedWidth() {
        #expect(TerminalText.hex16(0) == "0000000000000000")
        #expect(TerminalText.hex16(.max) == "ffffffffffffffff")
    }
}
