/// Fitting text into a number of terminal columns without hiding that it was cut:
/// whatever is left out is replaced by "…" (U+2026, or "~" on an ASCII terminal).
public enum TextFit {
    /// Terminal columns `text` takes (a control character counts as one `?`).
    public static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + max(1, Screen.columns(of: $1)) }
    }

    /// `text` if it fits `columns`, else its start and end around an ellipsis.
    public static func middle(_ text: String, _ columns: Int, ascii: Bool = false) -> String {
        guard width(text) > columns else { return text }
        guard columns > 1 else { return String(ellipsis(ascii).prefix(max(0, columns))) }
        let scalars = Array(text.unicodeScalars)
        let keepEnd = (columns - 1) / 2, keepStart = columns - 1 - keepEnd
        return take(scalars, keepStart) + ellipsis(ascii) + takeEnd(scalars, keepEnd)
    }

    /// A path fitted to `columns`, keeping its most specific part: the folders are
    /// shortened from the left first, so the last component stays whole when it can.
    public static func path(_ path: String, _ columns: Int, ascii: Bool = false) -> String {
        guard width(path) > columns else { return path }
        let name = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        if width(name) + 2 <= columns {
            // "…" + as much of the folders' end as fits + "/name".
            return ellipsis(ascii) + takeEnd(Array(path.unicodeScalars), columns - 1)
        }
        if width(name) + 1 <= columns { return ellipsis(ascii) + name }  // the folders, all dropped, still marked
        return middle(name, columns, ascii: ascii)
    }

    /// `text` if it fits, else as much of its start as fits followed by an ellipsis.
    public static func head(_ text: String, _ columns: Int, ascii: Bool = false) -> String {
        guard width(text) > columns else { return text }
        guard columns > 1 else { return String(ellipsis(ascii).prefix(max(0, columns))) }
        return take(Array(text.unicodeScalars), columns - 1) + ellipsis(ascii)
    }

    /// `text` broken into lines of at most `columns`, at spaces where possible.
    public static func wrap(_ text: String, _ columns: Int) -> [String] {
        guard columns > 0 else { return [] }
        var lines = [String]()
        var line = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: false).map(String.init) {
            let candidate = line.isEmpty ? word : line + " " + word
            if width(candidate) <= columns { line = candidate; continue }
            if !line.isEmpty { lines.append(line) }
            var rest = Array(word.unicodeScalars)
            while width(String(String.UnicodeScalarView(rest))) > columns {
                let piece = take(rest, columns)
                lines.append(piece)
                rest.removeFirst(piece.unicodeScalars.count)
            }
            line = String(String.UnicodeScalarView(rest))
        }
        if !line.isEmpty || lines.isEmpty { lines.append(line) }
        return lines
    }

    static func ellipsis(_ ascii: Bool) -> String { ascii ? "~" : "\u{2026}" }

    /// The first scalars of `s` that fit `columns`.
    private static func take(_ s: [Unicode.Scalar], _ columns: Int) -> String {
        var out = String.UnicodeScalarView()
        var used = 0
        for c in s {
            let w = max(1, Screen.columns(of: c))
            if used + w > columns { break }
            out.append(c)
            used += w
        }
        return String(out)
    }

    /// The last scalars of `s` that fit `columns`.
    private static func takeEnd(_ s: [Unicode.Scalar], _ columns: Int) -> String {
        var out = [Unicode.Scalar]()
        var used = 0
        for c in s.reversed() {
            let w = max(1, Screen.columns(of: c))
            if used + w > columns { break }
            out.append(c)
            used += w
        }
        return String(String.UnicodeScalarView(out.reversed()))
    }
}
