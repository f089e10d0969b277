/// An 8-bit sRGB colour.
public struct RGB: Equatable, Hashable, Sendable {
    /// Red, green, blue.
    public var r: UInt8, g: UInt8, b: UInt8
    /// Creates a colour.
    public init(_ r: UInt8, _ g: UInt8, _ b: UInt8) { self.r = r; self.g = g; self.b = b }

    /// Parses "black", "white", "#rrggbb" or "rrggbb".
    public init?(parsing text: String) {
        switch text.lowercased() {
        case "black": self.init(0, 0, 0); return
        case "white": self.init(255, 255, 255); return
        default: break
        }
        var hex = Substring(text)
        if hex.hasPrefix("#") { hex = hex.dropFirst() }
        guard hex.count == 6, let v = UInt32(hex, radix: 16) else { return nil }
        self.init(UInt8(v >> 16), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF))
    }
}

/// One character cell of a preview.
public struct PreviewCell: Equatable, Sendable {
    /// The character drawn.
    public var character: Unicode.Scalar
    /// Foreground colour, if any.
    public var foreground: RGB?
    /// Background colour, if any.
    public var background: RGB?

    /// Creates a cell.
    public init(_ character: Unicode.Scalar, foreground: RGB? = nil, background: RGB? = nil) {
        self.character = character
        self.foreground = foreground
        self.background = background
    }
}

/// A preview: a grid of cells, row-major. Both the CLI and the terminal apps draw it.
public struct CellGrid: Equatable, Sendable {
    /// Columns.
    public let width: Int
    /// Rows.
    public let height: Int
    /// Cells, row by row.
    public var cells: [PreviewCell]

    /// A grid filled with `fill`.
    public init(width: Int, height: Int, fill: PreviewCell = PreviewCell(" ")) {
        self.width = width
        self.height = height
        cells = Array(repeating: fill, count: width * height)
    }

    /// The cell at column x, row y.
    public subscript(x: Int, y: Int) -> PreviewCell {
        get { cells[y * width + x] }
        set { cells[y * width + x] = newValue }
    }

    /// Row y as plain text (characters only).
    public func rowText(_ y: Int) -> String {
        var s = String.UnicodeScalarView()
        for x in 0 ..< width { s.append(self[x, y].character) }
        return String(s)
    }
}
