import BlobTransfer
import ImagePreview
import TerminalGraphics
import TerminalUI
import TerminalColors

/// What decoding a preview produced.
public enum PreviewResult: Sendable {
    /// Decoded and rendered.
    case ready(ImageInfo, CellGrid)
    /// Not an image this tool previews (what it looks like, its size): its head as
    /// text or a hex dump instead.
    case notImage(ImageFormat, Int, ContentHead)
    /// Decoding failed (the message says why).
    case failed(String)
    /// Encoded for a pixel protocol: the escape sequence that draws it and the cells it
    /// covers.
    case pixels(ImageInfo, draw: [UInt8], columns: Int, rows: Int)
}

/// A preview asked for and, once decoded, its result. `key` names what was asked
/// (file or sequence, box, mode), so a late result for an older request is dropped.
public struct PreviewSlot: Sendable {
    /// What was asked.
    public var key: String
    /// The result; nil while decoding.
    public var result: PreviewResult?
}

/// Decoding previews (run on a worker lane) and drawing them into a screen.
enum PreviewPainter {
    /// Decodes `bytes` (a file's whole content, `size` bytes) into a grid for `options`,
    /// or gives its head as text or hex; `cancelled` is polled between rows.
    static func render(_ bytes: [UInt8], size: Int, options: PreviewOptions, cancelled: @escaping () -> Bool) -> PreviewResult {
        bytes.withUnsafeBytes { raw in
            let format = ImageFormat.detect(raw)
            guard format.isPreviewable else {
                let head = Array(bytes.prefix(ContentHead.readLimit))
                return .notImage(format, size, ContentHead.of(head, columns: options.columns, rows: options.rows))
            }
            do {
                let (info, grid) = try Preview.render(raw, options: options, cancelled: cancelled)
                return .ready(info, grid)
            } catch {
                return .failed("\(error)")
            }
        }
    }

    /// Decodes `bytes` for a pixel protocol: scaled to the box's pixels (cells times the
    /// cell size), encoded as sixel or kitty (image `id`). Anything that is not an image,
    /// or fails, is rendered as characters instead (`fallback`).
    static func renderPixels(_ bytes: [UInt8], columns: Int, rows: Int, capabilities: Capabilities,
                             fallback: PreviewOptions, id: UInt32 = kittyImageID,
                             cancelled: @escaping () -> Bool) -> PreviewResult {
        guard let proto = capabilities.pixels,
              bytes.withUnsafeBytes({ ImageFormat.detect($0).isPreviewable }) else {
            return render(bytes, size: bytes.count, options: fallback, cancelled: cancelled)
        }
        let cw = max(1, capabilities.cellWidth), ch = max(1, capabilities.cellHeight)
        do {
            let (info, raster) = try bytes.withUnsafeBytes {
                try Preview.raster($0, boxWidth: columns * cw, boxHeight: rows * ch, options: fallback, cancelled: cancelled)
            }
            let draw: [UInt8]
            do throws(GraphicsEncoder.EncodeError) {
                draw = try GraphicsEncoder.draw(raster, as: proto == .sixel ? .sixel : .kitty, kittyID: id)
            } catch {
                return .failed(error.description)
            }
            return .pixels(info, draw: draw, columns: (raster.width + cw - 1) / cw, rows: (raster.height + ch - 1) / ch)
        } catch {
            return .failed("\(error)")
        }
    }

    /// The id an app's preview uses with kitty (the compare view's panes take the next ones).
    static let kittyImageID: UInt32 = 4242

    /// The ``Graphic`` for a pixel preview at (x, y) (kitty image `id`), or nil for other
    /// results.
    static func graphic(_ result: PreviewResult?, key: String, x: Int, y: Int, capabilities: Capabilities,
                        id: UInt32 = kittyImageID) -> Graphic? {
        guard case let .pixels(_, draw, columns, rows)? = result else { return nil }
        let erase = capabilities.pixels == .kitty ? Array(GraphicsEncoder.kittyDelete(id: id).utf8) : []
        return Graphic(x: x, y: y, columns: columns, rows: rows, key: key, draw: draw, erase: erase)
    }

    /// Several graphics as one (a screen holds one): each drawn from its own top-left
    /// cell (an absolute cursor move before it), erased together; the union of their cells.
    static func combined(_ parts: [Graphic]) -> Graphic? {
        guard let first = parts.first else { return nil }
        if parts.count == 1 { return first }
        let x0 = parts.map(\.x).min()!, y0 = parts.map(\.y).min()!
        let x1 = parts.map { $0.x + $0.columns }.max()!, y1 = parts.map { $0.y + $0.rows }.max()!
        var draw: [UInt8] = []
        for g in parts { draw += Array("\u{1b}[\(g.y + 1);\(g.x + 1)H".utf8) + g.draw }
        return Graphic(x: x0, y: y0, columns: x1 - x0, rows: y1 - y0, key: parts.map(\.key).joined(separator: "+"),
                       draw: draw, erase: parts.flatMap(\.erase))
    }

    /// Reads a regular file for a preview: its head, and the whole of it (up to `limit`)
    /// when it is an image. Only regular files are opened (non-blocking); anything else is
    /// a plain reason.
    static func load(_ path: String, limit: Int, options: PreviewOptions, capabilities: Capabilities = .plain,
                     cancelled: @escaping () -> Bool) -> PreviewResult {
        do throws(TransferError) {
            // One descriptor: the head, then, for an image, the rest (never read twice).
            let input = try Files.openInput(path)
            defer { input.close() }
            var bytes = try input.readBytes(max: ContentHead.readLimit + 1)
            let isImage = bytes.withUnsafeBytes { ImageFormat.detect($0).isPreviewable }
            guard isImage else {
                return render(Array(bytes.prefix(ContentHead.readLimit)), size: input.size, options: options, cancelled: cancelled)
            }
            // An image smaller than the head is whole already.
            if bytes.count > ContentHead.readLimit {
                bytes += try input.readBytes(max: limit + 1 - bytes.count)
                if bytes.count > limit { return .failed("larger than the \(ByteCount.human(limit)) preview limit") }
            }
            if capabilities.pixels != nil {
                return renderPixels(bytes, columns: options.columns, rows: options.rows, capabilities: capabilities,
                                    fallback: options, cancelled: cancelled)
            }
            return render(bytes, size: bytes.count, options: options, cancelled: cancelled)
        } catch {
            return .failed(error.description)
        }
    }

    /// Draws a content head (text or hex lines) at (x, y), clipped to `width`.
    static func paint(_ head: ContentHead, into screen: inout Screen, x: Int, y: Int, width: Int, height: Int) {
        let lines: [String]
        switch head {
        case let .text(l), let .hex(l): lines = l
        }
        for (i, line) in lines.prefix(height).enumerated() {
            screen.put(line, x: x, y: y + i, maxWidth: width)
        }
    }

    /// Draws a grid at (x, y), its colours as RGB: the backend shows them as the terminal
    /// can, in 24-bit colour where it has it (the 8- and 16-colour previews hold basic
    /// colours exactly, which stay basic).
    static func paint(_ grid: CellGrid, into screen: inout Screen, x: Int, y: Int) {
        for gy in 0 ..< grid.height {
            for gx in 0 ..< grid.width {
                let c = grid[gx, gy]
                var style = Style.plain
                if let fg = c.foreground { style.foreground = .rgb(fg.r, fg.g, fg.b) }
                if let bg = c.background { style.background = .rgb(bg.r, bg.g, bg.b) }
                screen[x + gx, y + gy] = ScreenCell(c.character, style)
            }
        }
    }

    /// Preview options for a box on a terminal with these capabilities: coloured half
    /// blocks when asked for and possible, else ASCII.
    /// On 8 and 16 colours the blocks use the cell-pair match and dithering of
    /// `preview --color 8|16`, not the nearest of the 256 colours (which an 8-colour
    /// terminal would then flatten again).
    static func options(columns: Int, rows: Int, blocks: Bool, capabilities: Capabilities) -> PreviewOptions {
        let useBlocks = blocks && capabilities.unicode && capabilities.colors > 0
        let depth: PreviewOptions.ColorDepth = !useBlocks ? .none : capabilities.truecolor ? .truecolor
            : capabilities.colors >= 256 ? .palette256 : capabilities.colors >= 16 ? .ansi16 : .ansi8
        return PreviewOptions(columns: max(columns, 1), rows: max(rows, 1), mode: useBlocks ? .blocks : .ascii, color: depth)
    }
}
