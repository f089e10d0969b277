import BlobTransfer
import ImagePreview
import TerminalUI

/// What decoding a preview produced.
public enum PreviewResult: Sendable {
    /// Decoded and rendered.
    case ready(ImageInfo, CellGrid)
    /// Not an image this tool previews (format, size).
    case notImage(ImageFormat, Int)
    /// Decoding failed (the message says why).
    case failed(String)
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
    /// Decodes `bytes` into a grid for `options`; `cancelled` is polled between rows.
    static func render(_ bytes: [UInt8]?, options: PreviewOptions, cancelled: @escaping () -> Bool) -> PreviewResult {
        guard let bytes else { return .failed("cannot read the file") }
        return bytes.withUnsafeBytes { raw in
            let format = ImageFormat.detect(raw)
            guard format.isPreviewable else { return .notImage(format, bytes.count) }
            do {
                let (info, grid) = try Preview.render(raw, options: options, cancelled: cancelled)
                return .ready(info, grid)
            } catch {
                return .failed("\(error)")
            }
        }
    }

    /// Draws a grid at (x, y) in xterm-256 colours.
    static func paint(_ grid: CellGrid, into screen: inout Screen, x: Int, y: Int) {
        for gy in 0 ..< grid.height {
            for gx in 0 ..< grid.width {
                let c = grid[gx, gy]
                var style = Style.plain
                if let fg = c.foreground { style.foreground = Palette.nearest(fg.r, fg.g, fg.b) }
                if let bg = c.background { style.background = Palette.nearest(bg.r, bg.g, bg.b) }
                screen[x + gx, y + gy] = ScreenCell(c.character, style)
            }
        }
    }

    /// Preview options for a box on a terminal with these capabilities: coloured half
    /// blocks when asked for and possible, else ASCII.
    static func options(columns: Int, rows: Int, blocks: Bool, capabilities: Capabilities) -> PreviewOptions {
        let useBlocks = blocks && capabilities.unicode && capabilities.colors > 0
        return PreviewOptions(columns: max(columns, 1), rows: max(rows, 1), mode: useBlocks ? .blocks : .ascii,
                              color: useBlocks ? .palette256 : .none)
    }
}
