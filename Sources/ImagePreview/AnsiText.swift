import TerminalColors

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

    /// The sequence that sets `c` on `layer` (38 foreground, 48 background) at `depth`
    /// (on 8 and 16 colours the grid holds basic colours exactly: SmallPalette; at 256,
    /// the cube's entries, never the themed basic ones).
    static func sgr(_ layer: Int, _ c: RGB, _ depth: PreviewOptions.ColorDepth) -> String {
        SGR.sequence(.rgb(c.r, c.g, c.b), layer == 38 ? .foreground : .background, depth: depth, exactBasic: false)
    }
}
