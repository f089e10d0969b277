import TerminalColors

/// A ``Screen`` as lines of text for a one-shot print (no curses): each cell's style as
/// SGR codes (its colours as ``SGR`` writes them at `depth`), trailing blank cells left
/// out, every line ending in a reset and "\n".
public enum SGRText {
    /// The screen's rows as text; depth `.none` leaves colours out (bold and dim stay).
    public static func lines(_ screen: Screen, depth: ColorDepth) -> String {
        var out = ""
        for y in 0 ..< screen.height {
            var end = screen.width
            while end > 0, screen[end - 1, y] == .blank { end -= 1 }
            var last = Style.plain
            for x in 0 ..< end {
                let cell = screen[x, y]
                if cell.character == ScreenCell.continuationScalar { continue }
                if cell.style != last {
                    out += sgr(cell.style, depth: depth)
                    last = cell.style
                }
                out.unicodeScalars.append(cell.character)
            }
            if last != .plain { out += "\u{1b}[0m" }
            out += "\n"
        }
        return out
    }

    /// The SGR sequence that sets exactly `style` (from a reset).
    static func sgr(_ style: Style, depth: ColorDepth) -> String {
        var codes = ["0"]
        if style.bold { codes.append("1") }
        if style.dim { codes.append("2") }
        if style.reverse { codes.append("7") }
        if let fg = style.foreground, let c = SGR.codes(fg, .foreground, depth: depth) { codes.append(c) }
        if let bg = style.background, let c = SGR.codes(bg, .background, depth: depth) { codes.append(c) }
        return "\u{1b}[" + codes.joined(separator: ";") + "m"
    }
}
