import TerminalColors

/// How a preview is drawn.
public struct PreviewOptions: Equatable, Sendable {
    /// Characters only, or half blocks with colours.
    public enum Mode: String, Sendable, CaseIterable {
        /// 7-bit characters on a luminance ramp; no escape codes.
        case ascii
        /// The upper-half block with foreground and background colours: two pixels per cell.
        case blocks
    }

    /// Colour depth of the output.
    /// How many colours (the one definition, in TerminalColors).
    public typealias ColorDepth = TerminalColors.ColorDepth

    /// How colours missing from a small palette are approximated.
    public enum Dither: String, Sendable, CaseIterable {
        /// The nearest colour only.
        case none
        /// A 4x4 Bayer threshold: regular, stable under small changes.
        case ordered
        /// Floyd-Steinberg error diffusion (in linear light): the most faithful average.
        case diffusion
    }

    /// The box the preview must fit in, in character cells.
    public var columns: Int
    /// The box's height in rows.
    public var rows: Int
    /// ASCII or blocks.
    public var mode: Mode
    /// Colour depth (blocks mode; ASCII is always plain).
    public var color: ColorDepth
    /// Dithering for 8 and 16 colours (ignored for more).
    public var dither: Dither = .ordered
    /// Swap the ramp for light terminals (dense characters for dark pixels).
    public var invert: Bool
    /// What transparent pixels are composited over.
    public var background: RGB
    /// A character cell's height divided by its width.
    public var fontRatio: Double
    /// Images with more pixels than this are refused before anything is allocated.
    public var maxPixels: Int
    /// Images whose decoding would need more memory than this (estimated from the
    /// header: an interlaced PNG or a progressive JPEG holds the whole image) are refused
    /// before anything is allocated.
    public var maxMemory: Int

    /// The default decompression-bomb limit: 100 megapixels.
    public static let defaultMaxPixels = 100_000_000
    /// The default memory budget of one decode: 256 MiB.
    public static let defaultMaxMemory = 256 << 20

    /// Creates options; the defaults are an 80x24 ASCII preview over black.
    public init(columns: Int = 80, rows: Int = 24, mode: Mode = .ascii, color: ColorDepth = .none,
                invert: Bool = false, background: RGB = RGB(0, 0, 0), fontRatio: Double = 2.0,
                maxPixels: Int = PreviewOptions.defaultMaxPixels, maxMemory: Int = PreviewOptions.defaultMaxMemory) {
        self.columns = columns
        self.rows = rows
        self.mode = mode
        self.color = color
        self.invert = invert
        self.background = background
        self.fontRatio = fontRatio
        self.maxPixels = maxPixels
        self.maxMemory = maxMemory
    }

    /// The grid size for an image of `width` x `height` pixels: as large as fits the box,
    /// keeping the aspect ratio, and never more cells (or half-cells) than pixels.
    public func gridSize(width: Int, height: Int) -> (columns: Int, rows: Int) {
        let w = Double(max(width, 1)), h = Double(max(height, 1))
        let ratio = max(fontRatio, 0.1)
        var cols = Double(max(columns, 1))
        var rowsD = (h / w) * cols / ratio
        if rowsD > Double(max(rows, 1)) {
            rowsD = Double(max(rows, 1))
            cols = (w / h) * rowsD * ratio
        }
        let sub = mode == .blocks ? 2.0 : 1.0
        // No upsampling: at most one cell per pixel across, one sub-row per pixel down.
        let shrink = min(1.0, w / cols, h / (rowsD * sub))
        cols *= shrink
        rowsD *= shrink
        return (max(1, Int(cols.rounded())), max(1, Int(rowsD.rounded())))
    }
}
