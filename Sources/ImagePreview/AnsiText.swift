/// Turns a cell grid into text for a terminal: plain characters, or SGR colour codes
/// (only for cells that carry colours).
public enum AnsiText {
    /// The grid as lines, each ending in "\n"; colours as 256-colour or truecolor SGR.
    public static func render(_ grid: CellGrid, color: PreviewOptions.ColorDepth) -> String {
        var out = ""
        out.reserveCapacity(grid.width * grid.height * (color == .none ? 1 : 20))
        for y in 0 ..< grid.height {
            var lastFG: RGB?, lastBG: RGB?
            var colored = false
            for x in 0 ..< grid.width {
                let cell = grid[x, y]
                if color != .none, let fg = cell.foreground, let bg = cell.background {
                    if fg != lastFG { out += sgr(38, fg, color); lastFG = fg }
                    if bg != lastBG { out += sgr(48, bg, color); lastBG = bg }
                    colored = true
                }
                out.unicodeScalars.append(cell.character)
            }
            if colored { out += "\u{1b}[0m" }
            out += "\n"
        }
        return out
    }

    static func sgr(_ layer: Int, _ c: RGB, _ depth: PreviewOptions.ColorDepth) -> String {
        if depth == .palette256 {
            return "\u{1b}[\(layer);5;\(ColorMath.nearestPaletteIndex(c))m"
        }
        if depth == .ansi8 || depth == .ansi16 {
            // The grid holds palette colours exactly (SmallPalette); SGR 30-37/90-97, 40-47/100-107.
            let i = SmallPalette.xterm16.firstIndex(of: c) ?? 7
            let base = layer == 38 ? (i < 8 ? 30 : 90) : (i < 8 ? 40 : 100)
            return "\u{1b}[\(base + i % 8)m"
        }
        return "\u{1b}[\(layer);2;\(c.r);\(c.g);\(c.b)m"
    }
}
