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

@Suite struct RawPathTests {
    /// Any bytes survive decode then encode unchanged; valid UTF-8 stays as it is.
    @Test func everyByteSequenceRoundTrips() {
        var state: UInt64 = 0x5EED
        func next() -> UInt64 { state &+= 0x9E37_79B9_7F4A_7C15; var z = state; z = (z ^ (z >> 31)) &* 0xBF58_476D_1CE4_E5B9; return z ^ (z >> 29) }
        for _ in 0 ..< 2000 {
            let bytes = (0 ..< Int(next() % 24)).map { _ in UInt8(truncatingIfNeeded: next()) }
            #expect(RawPath.encode(RawPath.decode(bytes)) == bytes, "\(bytes)")
        }
        #expect(RawPath.decode(Array("ünï/日本.png".utf8)) == "ünï/日本.png")
    }

    @Test func labelsAndEscapesShowRawBytes() {
        let name = RawPath.decode([0x63, 0x61, 0x66, 0xE9, 0x2E, 0x70, 0x6E, 0x67])  // "caf\xe9.png" in Latin-1
        #expect(RawPath.label(name) == "caf\\xe9.png")
        #expect(TerminalText.escape(name) == "caf\\xe9.png")
        #expect(RawPath.encode(name) == [0x63, 0x61, 0x66, 0xE9, 0x2E, 0x70, 0x6E, 0x67])
    }
}
