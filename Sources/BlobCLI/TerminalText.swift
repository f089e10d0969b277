/// Makes untrusted text (path labels, file names) safe to print on a terminal.
public enum TerminalText {
    /// `text` with every control character (C0, DEL, C1) and backslash written as an
    /// escape (`\n`, `\x1b`, `\u{9b}`, `\\`), so it can never move the cursor or start an
    /// escape sequence.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar.value {
            case 0x5C: out += "\\\\"
            case 0x0A: out += "\\n"
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0x00 ..< 0x20, 0x7F:
                let h = String(scalar.value, radix: 16)
                out += "\\x" + (h.count == 1 ? "0" + h : h)
            case 0x80 ..< 0xA0, 0x2028, 0x2029, 0x202A ... 0x202E, 0x2066 ... 0x2069:
                out += "\\u{\(String(scalar.value, radix: 16))}"
            default:
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
