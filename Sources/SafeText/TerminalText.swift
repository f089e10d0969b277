/// Makes untrusted text (path labels, file names, segment names) safe to print on a
/// terminal. Every module that shows such text goes through here.
public enum TerminalText {
    /// `text` with every control character (C0, DEL, C1), the line and paragraph
    /// separators, the bidi controls and the backslash written as an escape (`\n`,
    /// `\x1b`, `\u{9b}`, `\\`), so it can never move the cursor, start an escape
    /// sequence or reorder what is shown around it.
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
                out += "\\x" + hex2(scalar.value)
            default:
                if let byte = RawPath.rawByte(scalar) {
                    out += "\\x" + hex2(UInt32(byte))  // a byte of a name that is not UTF-8
                } else if isUnsafe(scalar) {
                    out += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// Whether a scalar must never reach a terminal raw: C0 and C1 controls, DEL,
    /// U+2028/U+2029 and the bidi embedding, override and isolate controls.
    public static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00 ..< 0x20, 0x7F, 0x80 ..< 0xA0, 0x2028, 0x2029, 0x202A ... 0x202E, 0x2066 ... 0x2069: return true
        default: return false
        }
    }

    /// A 64-bit value as 16 lower-case hex digits.
    public static func hex16(_ value: UInt64) -> String {
        let s = String(value, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }

    private static func hex2(_ v: UInt32) -> String {
        let h = String(v, radix: 16)
        return h.count == 1 ? "0" + h : h
    }
}

extension TerminalText {
    /// The line `sha256sum` prints for `path`: a name holding a backslash, a newline or
    /// a carriage return gets a leading `\` and those escaped as `\\`, `\n`, `\r`, exactly
    /// as coreutils does (so `sha256sum -c` reads it back). Other control characters,
    /// which sha256sum would print raw, are escaped as `\xNN` so they never reach a
    /// terminal; such a line is not `-c` compatible.
    public static func sha256sumLine(hash: String, path: String) -> String {
        var name = ""
        var marked = false
        for scalar in path.unicodeScalars {
            switch scalar {
            case "\\": name += "\\\\"; marked = true
            case "\n": name += "\\n"; marked = true
            case "\r": name += "\\r"; marked = true
            case "\t": name += "\t"  // raw, as sha256sum prints it (harmless on a terminal)
            default:
                if isUnsafe(scalar) { name += escape(String(scalar)) } else { name.unicodeScalars.append(scalar) }
            }
        }
        return (marked ? "\\" : "") + hash + "  " + name
    }
}
