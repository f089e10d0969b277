/// JSON string literals for untrusted text.
public enum JSONText {
    /// `text` as a JSON string literal, quotes included. Besides what JSON requires
    /// (quote, backslash, C0 controls) it escapes DEL, C1 controls, the line and
    /// paragraph separators and the bidi controls, so the JSON stays safe to print on a
    /// terminal and to embed in JavaScript.
    public static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if TerminalText.isUnsafe(scalar) {
                    let h = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
