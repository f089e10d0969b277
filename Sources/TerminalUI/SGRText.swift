/// A ``Screen`` as lines of text for a one-shot print (no curses): each cell's style as
/// SGR codes (colour indices under 16 as the basic 30-37/90-97 codes, others as 256-colour
/// codes), trailing blank cells left out, every line ending in a reset and "\n".
public enum SGRText {
    /// The screen's rows as text; `colors` false leaves colours out (bold and dim stay).
    public static func lines(_ screen: Screen, colors: Bool) -> String {
        var out = ""
        for y in 0 ..< screen.height {
            var end = screen.width
            while end > 0, screen[end - 1, y] == .blank { end -= 1 }
            var last = Style.plain
            for x in 0 ..< end {
                let cell = screen[x, y]
                if cell.character == ScreenCell.continuationScalar { continue }
                if cell.style != last {
                    out += sgr(cell.style, colors: colors)
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
    static func sgr(_ style: Style, colors: Bool) -> String {
        var codes = ["0"]
        if style.bold { codes.append("1") }
        if style.dim { codes.append("2") }
        if style.reverse { codes.append("7") }
        func colour(_ index: UInt8, _ base: Int, _ bright: Int, _ extended: Int) -> String {
            index < 8 ? "\(base + Int(index))" : index < 16 ? "\(bright + Int(index) - 8)" : "\(extended);5;\(index)"
        }
        if colors, let fg = style.foreground { codes.append(colour(fg, 30, 90, 38)) }
        if colors, let bg = style.background { codes.append(colour(bg, 40, 100, 48)) }
        return "\u{1b}[" + codes.joined(separator: ";") + "m"
    }
}
