import Testing
@testable import TerminalUI

/// How many columns a character takes: the C library's answer (what ncurses places
/// characters by) and the table used without it.
@Suite struct CellWidthTests {
    /// (scalar, columns): emoji that Unicode shows as emoji take two, as CJK does; the
    /// text-style ones, flags' letters, accented Latin and half-width kana take one.
    static let samples: [(UInt32, Int)] = [
        (0x1F680, 2), (0x1F6E0, 1), (0x1F6D5, 2), (0x231A, 2), (0x2614, 2), (0x1F004, 2), (0x4E2D, 2), (0xAC00, 2),
        (0x3000, 2), (0xFF21, 2), (0x1F321, 1), (0x1F1EB, 1), (0xE9, 1), (0xFF71, 1), (0x2603, 1), (0x2329, 2),
    ]

    @Test(arguments: samples)
    func aCharacterTakesTheColumnsTheCLibrarySays(scalar: UInt32, columns: Int) throws {
        let s = try #require(Unicode.Scalar(scalar))
        #expect(Screen.columns(of: s) == columns, "U+\(String(scalar, radix: 16, uppercase: true))")
        #expect(Screen.tableColumns(of: s) == columns, "U+\(String(scalar, radix: 16, uppercase: true)) by the table")
    }

    @Test func textAfterAWideEmojiStartsTwoColumnsOn() {
        var s = Screen(width: 6, height: 1)
        #expect(s.put("\u{1F680}x\u{231A}y", x: 0, y: 0) == 6)
        #expect(s[1, 0].character == ScreenCell.continuationScalar && s[2, 0].character == "x")
        #expect(s[4, 0].character == ScreenCell.continuationScalar && s[5, 0].character == "y")
    }

    /// The table agrees with the C library on every scalar both print (glibc's answer is
    /// asked in C.UTF-8, whatever this process's locale), up to Unicode 14.0, the tables
    /// of glibc 2.35-2.36: a newer C library knows characters the table was not checked
    /// against.
    @Test func theTableAgreesWithTheCLibraryOnEveryPrintableScalar() throws {
        try #require(Sys.utf8CellWidth(0x4E2D) == 2, "this C library has no C.UTF-8 locale")
        var compared = 0
        var differing: [String] = []
        for v in UInt32(0xA0) ... 0x10FFFF {
            guard let s = Unicode.Scalar(v), let age = s.properties.age, age.major < 14 || (age.major == 14 && age.minor == 0),
                  Screen.columns(of: s) > 0 else { continue }
            compared += 1
            if Screen.tableColumns(of: s) != Screen.columns(of: s), differing.count < 10 {
                differing.append("U+\(String(v, radix: 16, uppercase: true)) table \(Screen.tableColumns(of: s)), C library \(Screen.columns(of: s))")
            }
        }
        #expect(compared > 100_000)
        #expect(differing.isEmpty, "\(differing)")
    }

    /// What the C library does not print (a combining jamo, a code point newer than its
    /// tables) is shown as '?', as marks and format characters are.
    @Test func whatTheCLibraryDoesNotPrintIsAQuestionMark() throws {
        try #require(Sys.utf8CellWidth(0x1160) == 0, "this C library has no C.UTF-8 locale")
        #expect(Screen.columns(of: "\u{1160}") == -1)
        var s = Screen(width: 3, height: 1)
        s.put("a\u{1160}b", x: 0, y: 0)
        #expect(s.rowText(0) == "a?b")
    }
}
