import BlobTransfer
import ImagePreview
import SafeText
import TerminalColors
import TerminalGraphics
import TerminalUI

/// The received image beside the file on disk and the difference as a picture: the
/// reader app's compare view (`d`) and `blob-reader compare --show`. Every pane goes
/// through the preview's one path (``PreviewPainter``: cells, truecolor, sixel or kitty);
/// the difference picture is first made as small as the pane by
/// ``PixelCompare/reduceDifference(_:width:height:toWidth:toHeight:)``, so a single
/// differing pixel stays visible at any scale.
public enum CompareView {
    /// How the view shows the two sides.
    public enum Mode: Equatable, Sendable {
        /// Received | on disk | difference, side by side (stacked when that is larger).
        case sideBySide
        /// One picture in the whole area, alternating received / on disk with each `b`.
        case blink(showingDisk: Bool)
    }

    /// What a pane shows.
    public enum Side: String, Equatable, Sendable {
        case received, disk = "on disk", difference
    }

    /// The two images' bytes and, unless the bytes are identical, their comparison
    /// (with the difference picture when the budget allowed it).
    public struct Pictures: Sendable, Equatable {
        public var received: [UInt8]
        public var disk: [UInt8]
        public var comparison: PixelComparison?
        /// The received image's width over its height (4:3 when it cannot be read), found
        /// once here, for laying the panes out at every redraw.
        public let aspect: Double

        public init(received: [UInt8], disk: [UInt8], comparison: PixelComparison?) {
            self.received = received
            self.disk = disk
            self.comparison = comparison
            let info = comparison?.received ?? (try? received.withUnsafeBytes { try Preview.inspect($0) })
            aspect = info.map { Double(max(1, $0.width)) / Double(max(1, $0.height)) } ?? 4.0 / 3.0
        }
    }

    /// One pane: its title row at (x, y), its picture in the `rows` below.
    public struct Pane: Equatable, Sendable {
        public var side: Side
        public var x: Int, y: Int, columns: Int, rows: Int
    }

    /// The panes for `sides` in an area of `columns` x `rows` cells at (x, y): side by
    /// side, or stacked when that shows the pictures larger (`aspect`: the image's width
    /// over its height; `cellAspect`: a cell's width over its height).
    public static func layout(_ sides: [Side], x: Int, y: Int, columns: Int, rows: Int,
                              aspect: Double, cellAspect: Double) -> [Pane] {
        let n = max(1, sides.count), gap = 2
        func scale(_ w: Int, _ h: Int) -> Double {
            guard w > 0, h > 0 else { return 0 }
            return min(Double(w) * cellAspect / aspect, Double(h))  // the picture's height, in rows
        }
        let across = (columns - gap * (n - 1)) / n, acrossRows = rows - 1
        let downRows = (rows - n) / n
        let sideBySide = scale(across, acrossRows) >= scale(columns, downRows)
        return sides.enumerated().map { i, side in
            sideBySide ? Pane(side: side, x: x + i * (across + gap), y: y, columns: max(1, across), rows: max(1, acrossRows))
                       : Pane(side: side, x: x, y: y + i * (downRows + 1), columns: max(1, columns), rows: max(1, downRows))
        }
    }

    /// Each pane's picture: received and on disk from their bytes, the difference from the
    /// difference picture made as small as the pane. Nil for a difference that has no
    /// picture here (identical bytes, other dimensions, no colours: the view draws it in
    /// characters instead).
    static func render(_ pictures: Pictures, panes: [Pane], blocks: Bool, capabilities: Capabilities,
                       cancelled: @escaping () -> Bool) -> [PreviewResult?] {
        panes.enumerated().map { i, pane in
            let options = PreviewPainter.options(columns: pane.columns, rows: pane.rows, blocks: blocks, capabilities: capabilities)
            let id = PreviewPainter.kittyImageID + 1 + UInt32(i)
            func draw(_ bytes: [UInt8]) -> PreviewResult {
                capabilities.pixels == nil
                    ? PreviewPainter.render(bytes, size: bytes.count, options: options, cancelled: cancelled)
                    : PreviewPainter.renderPixels(bytes, columns: pane.columns, rows: pane.rows, capabilities: capabilities,
                                                  fallback: options, id: id, cancelled: cancelled)
            }
            switch pane.side {
            case .received: return draw(pictures.received)
            case .disk: return draw(pictures.disk)
            case .difference:
                guard let c = pictures.comparison, let picture = c.differencePicture, let info = c.received,
                      capabilities.pixels != nil || options.color != .none else { return nil }
                let size: (Int, Int)
                if capabilities.pixels != nil {
                    size = Preview.rasterSize(width: info.width, height: info.height,
                                              boxWidth: pane.columns * max(1, capabilities.cellWidth),
                                              boxHeight: pane.rows * max(1, capabilities.cellHeight))
                } else {
                    let grid = options.gridSize(width: info.width, height: info.height)
                    size = (grid.columns, grid.rows * (options.mode == .blocks ? 2 : 1))
                }
                let small = PixelCompare.reduceDifference(picture, width: info.width, height: info.height,
                                                          toWidth: size.0, toHeight: size.1)
                let w = min(size.0, info.width), h = min(size.1, info.height)
                guard let png = try? PNGEncoder.rgba8(small, width: max(1, w), height: max(1, h), opaque: true) else {
                    return .failed("the difference picture could not be encoded")
                }
                return draw(png)
            }
        }
    }

    /// A pane's titles, longest first (the first that fits is drawn): what it is, the
    /// image's format, size and depth, its bytes.
    static func titles(_ side: Side, _ pictures: Pictures?, result: PreviewResult?) -> [String] {
        var info: ImageInfo?
        switch result {
        case let .ready(i, _)?, let .pixels(i, _, _, _)?: info = i
        default: break
        }
        let bytes: Int
        switch side {
        case .received:
            info = info ?? pictures?.comparison?.received
            bytes = pictures?.received.count ?? 0
        case .disk:
            info = info ?? pictures?.comparison?.disk
            bytes = pictures?.disk.count ?? 0
        case .difference:
            guard let c = pictures?.comparison else { return ["difference: none (identical bytes)", "identical bytes"] }
            switch c.verdict {
            case .identicalBytes, .samePixels: return ["difference: none (same pixels)", "same pixels"]
            case .withinThreshold: return ["difference: \(c.withinThreshold) within the threshold", "within the threshold"]
            case .differentPixels:
                return ["difference: \(c.differingPixels) of \(c.pixels) pixels", "difference: \(c.differingPixels) px",
                        "\(c.differingPixels) differ"]
            case .differentDimensions: return ["difference: other dimensions", "other dimensions"]
            }
        }
        // What the sides are called: received / on disk, or first / second for two files.
        let names = pictures?.comparison?.names ?? (first: Side.received.rawValue, second: Side.disk.rawValue)
        let name = side == .received ? names.first : names.second, size = ByteCount.human(bytes)
        guard let i = info else { return ["\(name): \(size)", name] }
        let depth = "\(i.bitDepth)-bit \(i.colorType)" + (i.passes.map { ", " + $0 } ?? "")
        return ["\(name): \(i.format.rawValue) \(i.width)x\(i.height) \(depth), \(size)",
                "\(name): \(i.format.rawValue) \(i.width)x\(i.height) \(i.bitDepth)-bit, \(size)",
                "\(name) \(i.format.rawValue) \(i.width)x\(i.height) \(i.bitDepth)-bit \(size)",
                "\(name): \(i.format.rawValue) \(i.width)x\(i.height), \(size)",
                "\(name): \(i.format.rawValue) \(i.width)x\(i.height)", name]
    }

    /// A cell's width over its height: the terminal's cell size for pixels, else 1:2.
    static func cellAspect(_ capabilities: Capabilities) -> Double {
        capabilities.pixels != nil ? Double(max(1, capabilities.cellWidth)) / Double(max(1, capabilities.cellHeight)) : 0.5
    }

    /// The legend line for the panes drawn (`results`), fitted to `width`; nil when there
    /// is no difference to explain (identical bytes).
    static func legend(_ results: [PreviewResult?]?, _ pictures: Pictures, width: Int, ascii: Bool) -> String? {
        guard pictures.comparison != nil else { return nil }
        let drawnAsPicture = results.map { $0.count == 3 && $0[2] != nil } ?? false
        let lines = drawnAsPicture ? legends : characterLegends
        return TextFit.head(lines.first { TextFit.width($0) <= width } ?? lines.last!, width, ascii: ascii)
    }

    /// The legend under the panes, longest first (the first that fits is drawn).
    static let legends = [
        "grey: unchanged  pale blue: within the threshold  yellow (1/255) to magenta (255/255): differs",
        "grey unchanged  blue within threshold  yellow 1/255 .. magenta 255/255",
        "grey same  yellow..magenta: 1..255/255",
    ]

    /// The legend when the difference is drawn in characters (no colours).
    static let characterLegends = [
        "difference: . unchanged, + differs by under 16/255, # by 16/255 or more",
        ". same  + <16/255  # more",
    ]

    /// Draws the panes' titles and what stands in for a picture that is not there into
    /// `s`, the character pictures too (cells in RGB on a truecolor terminal); gives the
    /// pictures sent as escape sequences (pixels), each placed at its pane.
    static func draw(_ panes: [Pane], results: [PreviewResult?]?, pictures: Pictures?, keyPrefix: String,
                     into s: inout Screen, capabilities: Capabilities) -> [Graphic] {
        var parts: [Graphic] = []
        let ascii = !capabilities.unicode
        for (i, pane) in panes.enumerated() {
            let result = results.flatMap { i < $0.count ? $0[i] : nil }
            let titles = titles(pane.side, pictures, result: result)
            let title = titles.first { TextFit.width($0) <= pane.columns } ?? titles.last!
            s.put(TextFit.head(title, pane.columns, ascii: ascii), x: pane.x, y: pane.y, style: Style(bold: true))
            let top = pane.y + 1
            guard let results else {
                s.put(ascii ? "comparing..." : "comparing…", x: pane.x, y: top, style: Style(dim: true))
                continue
            }
            let key = "\(keyPrefix)#\(i)"
            switch result {
            case let .pixels(_, _, columns, _)?:
                if let g = PreviewPainter.graphic(result, key: key, x: pane.x + max(0, (pane.columns - columns) / 2), y: top,
                                                  capabilities: capabilities, id: PreviewPainter.kittyImageID + 1 + UInt32(i)) {
                    parts.append(g)
                }
            case let .ready(_, grid)?:
                PreviewPainter.paint(grid, into: &s, x: pane.x + max(0, (pane.columns - grid.width) / 2), y: top)
            case let .notImage(_, _, head)?:
                PreviewPainter.paint(head, into: &s, x: pane.x, y: top, width: pane.columns, height: pane.rows)
            case let .failed(m)?:
                s.put(TextFit.head(m, pane.columns, ascii: ascii), x: pane.x, y: top)
            case nil:
                if pane.side == .difference, i < results.count {
                    drawDifferenceInCharacters(pane, pictures?.comparison, into: &s, capabilities: capabilities)
                } else {
                    s.put(ascii ? "drawing..." : "drawing…", x: pane.x, y: top, style: Style(dim: true))
                }
            }
        }
        return parts
    }

    /// The difference without a picture: the heat map in characters, or a sentence when
    /// there is nothing to map.
    static func drawDifferenceInCharacters(_ pane: Pane, _ comparison: PixelComparison?, into s: inout Screen,
                                           capabilities: Capabilities) {
        let ascii = !capabilities.unicode
        guard let c = comparison, let heat = c.heatMap ?? (c.verdict == .differentDimensions ? nil : HeatMap.empty(c)) else {
            let text = comparison.map { $0.verdict == .differentDimensions ? "not compared pixel by pixel: " + $0.sentence : $0.sentence }
                ?? "identical bytes: every pixel is the same"
            for (i, line) in TextFit.wrap(text, max(8, pane.columns)).prefix(pane.rows).enumerated() {
                s.put(line, x: pane.x, y: pane.y + 1 + i)
            }
            return
        }
        ReaderProgram.paintDifferences(heat, depthMaximum: c.depthMaximum, into: &s,
                                       box: PreviewBox(columns: pane.columns, rows: pane.rows, blocks: false),
                                       x: pane.x, top: pane.y + 1, color: capabilities.colors > 0, ascii: ascii)
    }
}

extension HeatMap {
    /// A heat map of nothing differing, in the image's shape (pixels within the threshold
    /// or the same pixels: dots everywhere).
    static func empty(_ c: PixelComparison) -> HeatMap? {
        guard let info = c.received else { return nil }
        return HeatMap(imageWidth: info.width, imageHeight: info.height)
    }
}

extension CompareView {
    /// The compare view printed once (`blob-reader compare --show`): titles, pictures and
    /// legend in `columns` x `rows` cells as lines of text with SGR colours, then each
    /// picture sent as escape sequences (sixel, kitty) over its blank cells,
    /// placed by moves relative to where the text ended. Nothing waits for a key.
    public static func printable(_ pictures: Pictures, columns: Int, rows: Int, capabilities: Capabilities) -> [UInt8] {
        let panes = layout([.received, .disk, .difference], x: 0, y: 0, columns: columns, rows: rows - 1,
                           aspect: pictures.aspect, cellAspect: cellAspect(capabilities))
        let blocks = capabilities.colors > 0 && capabilities.unicode
        let results = render(pictures, panes: panes, blocks: blocks, capabilities: capabilities) { false }
        var screen = Screen(width: columns, height: rows)
        let parts = draw(panes, results: results, pictures: pictures, keyPrefix: "show", into: &screen, capabilities: capabilities)
        if let legend = legend(results, pictures, width: columns, ascii: !capabilities.unicode) {
            screen.put(legend, x: 0, y: rows - 1, style: Style(dim: true))
        }
        // The cells as the terminal shows colours: a truecolor picture is RGB cells.
        var out = Array(SGRText.lines(screen, depth: ColorDepth(colors: capabilities.colors, truecolor: capabilities.truecolor)).utf8)
        guard !parts.isEmpty else { return out }
        out += Array("\u{1b}7".utf8)  // the end of the text: each picture is placed from here
        for g in parts {
            out += Array("\u{1b}8\u{1b}[\(rows - g.y)A\u{1b}[\(g.x + 1)G".utf8) + g.draw
        }
        out += Array("\u{1b}8".utf8)
        return out
    }
}
