/// A centred box of key help drawn over a screen; any key closes it (the app decides).
public enum HelpOverlay {
    /// Draws `lines` under `title`, clipped to the screen.
    public static func draw(into s: inout Screen, lines: [String], title: String) {
        let w = min(s.width - 2, (lines.map(\.count).max() ?? 10) + 4)
        let h = min(s.height - 2, lines.count + 4)
        let x = max(0, (s.width - w) / 2), y = max(0, (s.height - h) / 2)
        s.fill(x: x, y: y, width: w, height: h, with: ScreenCell(" ", Style(reverse: true)))
        s.put(" \(title) ", x: x + 2, y: y, style: Style(bold: true, reverse: true), maxWidth: w - 4)
        for (i, line) in lines.enumerated() where i + 2 < h - 1 {
            s.put(line, x: x + 2, y: y + 2 + i, style: Style(reverse: true), maxWidth: w - 4)
        }
        s.put("any key closes", x: x + 2, y: y + h - 1, style: Style(reverse: true, dim: true), maxWidth: w - 4)
    }
}
