import TerminalColors

/// How a cell looks: colours (palette indices or RGB; nil: the terminal's default) and
/// attributes. The backend shows each colour as the terminal can (``Palette/index(for:colors:exactBasic:)``).
public struct Style: Hashable, Sendable {
    /// Foreground colour.
    public var foreground: TerminalColor?
    /// Background colour.
    public var background: TerminalColor?
    /// Bold.
    public var bold: Bool
    /// Reverse video (selection bars, works without colour).
    public var reverse: Bool
    /// Dim.
    public var dim: Bool

    /// Creates a style.
    public init(foreground: TerminalColor? = nil, background: TerminalColor? = nil, bold: Bool = false, reverse: Bool = false, dim: Bool = false) {
        self.foreground = foreground
        self.background = background
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
    }

    /// The terminal's default look.
    public static let plain = Style()
}

/// One character cell. A wide character occupies its cell and the next, which holds
/// ``ScreenCell/continuation``.
public struct ScreenCell: Hashable, Sendable {
    /// The character.
    public var character: Unicode.Scalar
    /// Its style.
    public var style: Style

    /// Creates a cell.
    public init(_ character: Unicode.Scalar, _ style: Style = .plain) {
        self.character = character
        self.style = style
    }

    /// The right half of a wide character.
    public static let continuationScalar: Unicode.Scalar = "\u{0}"
    /// A blank cell.
    public static let blank = ScreenCell(" ")
}

/// An image a terminal draws as pixels over a rectangle of cells: the escape sequence
/// that draws it (made by the app, sent as is) and the one that removes it (kitty);
/// sixel has none: the backend repaints the cells instead.
public struct Graphic: Equatable, Sendable {
    /// Top-left cell and the cells covered.
    public var x: Int, y: Int, columns: Int, rows: Int
    /// Names the content: a new key is a new image.
    public var key: String
    /// Draws it at the cursor.
    public var draw: [UInt8]
    /// Removes it (empty: repaint the cells).
    public var erase: [UInt8]

    public init(x: Int, y: Int, columns: Int, rows: Int, key: String, draw: [UInt8], erase: [UInt8]) {
        self.x = x
        self.y = y
        self.columns = columns
        self.rows = rows
        self.key = key
        self.draw = draw
        self.erase = erase
    }

    /// Same image in the same place (the bytes are not compared).
    public static func == (a: Graphic, b: Graphic) -> Bool {
        a.key == b.key && a.x == b.x && a.y == b.y && a.columns == b.columns && a.rows == b.rows
    }
}

/// The whole screen as a plain value: apps render into it, tests read it, a backend draws it.
public struct Screen: Equatable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Cells, row by row.
    public private(set) var cells: [ScreenCell]
    /// An image drawn as pixels over some cells (which the view leaves blank), or none.
    /// A view that shows an overlay leaves it out, so nothing is ever drawn over one.
    public var graphic: Graphic?

    /// A blank screen.
    public init(width: Int, height: Int) {
        self.width = max(width, 0)
        self.height = max(height, 0)
        cells = Array(repeating: .blank, count: self.width * self.height)
    }

    /// The cell at (x, y).
    public subscript(x: Int, y: Int) -> ScreenCell {
        get { cells[y * width + x] }
        set {
            guard x >= 0, y >= 0, x < width, y < height else { return }
            cells[y * width + x] = newValue
        }
    }

    /// Writes text at (x, y), clipped to `maxWidth` columns (and the screen). Control
    /// characters must have been escaped before; any left are shown as `?`.
    /// Returns the number of columns used.
    @discardableResult
    public mutating func put(_ text: String, x: Int, y: Int, style: Style = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var col = x
        for scalar in text.unicodeScalars {
            let w = Screen.columns(of: scalar)
            let shown: Unicode.Scalar = w <= 0 ? "?" : scalar
            let cw = max(w, 1)
            if col + cw > limit { break }
            if col >= 0 {
                self[col, y] = ScreenCell(shown, style)
                if cw == 2 { self[col + 1, y] = ScreenCell(ScreenCell.continuationScalar, style) }
            }
            col += cw
        }
        return col - x
    }

    /// Fills a rectangle.
    public mutating func fill(x: Int, y: Int, width w: Int, height h: Int, with cell: ScreenCell) {
        for yy in max(0, y) ..< min(height, y + h) {
            for xx in max(0, x) ..< min(width, x + w) { self[xx, yy] = cell }
        }
    }

    /// Row y as text (continuation cells omitted), trailing spaces kept.
    public func rowText(_ y: Int) -> String {
        var s = String.UnicodeScalarView()
        for x in 0 ..< width where self[x, y].character != ScreenCell.continuationScalar { s.append(self[x, y].character) }
        return String(s)
    }

    /// The whole screen as text, one line per row, trailing spaces trimmed.
    public var text: String {
        (0 ..< height).map { y in
            var line = rowText(y)
            while line.hasSuffix(" ") { line.removeLast() }
            return line
        }.joined(separator: "\n")
    }

    /// Terminal columns a scalar takes: 2 for wide ones, -1 for what is shown as `?`
    /// (controls, and text that is invisible or changes the layout: marks, bidi and other
    /// format characters, separators, unassigned code points).
    ///
    /// The width of the rest is the C library's (`wcwidth` in a UTF-8 locale), which is
    /// what ncurses places characters by; if they disagreed, everything after a character
    /// in the row would be drawn one column off. What the C library does not print either
    /// (a character newer than its Unicode tables) is shown as `?`. Without a UTF-8 locale
    /// in the C library, ``tableColumns(of:)`` decides.
    public static func columns(of scalar: Unicode.Scalar) -> Int {
        if scalar.value < 0x20 || scalar.value == 0x7F || (0x80 ..< 0xA0).contains(scalar.value) { return -1 }
        if scalar.value < 0x7F { return 1 }
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format, .control, .surrogate, .unassigned, .lineSeparator, .paragraphSeparator:
            return -1  // shown as '?': never let invisible or layout-changing text through
        default: break
        }
        if let width = Sys.utf8CellWidth(scalar.value) { return width <= 0 ? -1 : min(width, 2) }
        return tableColumns(of: scalar)
    }

    /// ``columns(of:)`` of a printable scalar without the C library: 2 for East Asian
    /// wide and full-width characters and for emoji shown as emoji by default (which
    /// Unicode makes wide; not the regional indicators that pair into flags, 1 each in
    /// glibc), else 1. It agrees with glibc 2.36's `wcwidth` on every scalar both print.
    public static func tableColumns(of scalar: Unicode.Scalar) -> Int {
        let v = scalar.value
        if scalar.properties.isEmojiPresentation && !(0x1F1E6 ... 0x1F1FF).contains(v) { return 2 }
        let wide = (0x1100 ... 0x115F).contains(v) || (0x2E80 ... 0x303E).contains(v) || (0x3041 ... 0xA4CF).contains(v)
            || (0xA960 ... 0xA97F).contains(v) || (0xAC00 ... 0xD7A3).contains(v) || (0xF900 ... 0xFAFF).contains(v)
            || (0xFE10 ... 0xFE19).contains(v) || (0xFE30 ... 0xFE6F).contains(v) || (0xFF00 ... 0xFF60).contains(v)
            || (0xFFE0 ... 0xFFE6).contains(v) || (0x16FE0 ... 0x18DFF).contains(v) || (0x1AFF0 ... 0x1B2FF).contains(v)
            || (0x1F200 ... 0x1F2FF).contains(v) || (0x20000 ... 0x3FFFD).contains(v) || v == 0x2329 || v == 0x232A
        return wide ? 2 : 1
    }
}
