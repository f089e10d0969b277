import TerminalColors

/// A ``Screen``'s cells as text with SGR codes: each cell's style as SGR codes (its
/// colours as ``SGR`` writes them at `depth`). What `compare --show` prints, and what
/// the ncurses backend sends itself for 24-bit cells.
public enum SGRText {
    /// The screen's rows as text for a one-shot print (no curses), trailing blank cells
    /// left out, every line ending in a reset and "\n"; depth `.none` leaves colours out
    /// (bold and dim stay).
    public static func lines(_ screen: Screen, depth: ColorDepth) -> String {
        var out = ""
        for y in 0 ..< screen.height {
            var end = screen.width
            while end > 0, screen[end - 1, y] == .blank { end -= 1 }
            out += cells(screen, y: y, columns: 0 ..< end, depth: depth)
            out += "\n"
        }
        return out
    }

    /// Row `y`'s cells in `columns` from a plain style, ending in a reset when a style
    /// was set. A wide character's continuation cell adds nothing; a scalar that takes
    /// no column of its own (a control character) is shown as `?`, as ``Screen/put(_:x:y:style:maxWidth:)``
    /// shows it.
    static func cells(_ screen: Screen, y: Int, columns: Range<Int>, depth: ColorDepth) -> String {
        var out = ""
        var last = Style.plain
        for x in columns {
            let cell = screen[x, y]
            if cell.character == ScreenCell.continuationScalar { continue }
            if cell.style != last {
                out += sgr(cell.style, depth: depth)
                last = cell.style
            }
            out.unicodeScalars.append(Screen.columns(of: cell.character) <= 0 ? "?" : cell.character)
        }
        if last != .plain { out += "\u{1b}[0m" }
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
