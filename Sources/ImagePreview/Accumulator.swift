/// Box-filters decoded rows into a small grid of linear-light averages, one row at a
/// time, so the decoded image never exists whole in memory.
///
/// Streaming (``init(sourceWidth:sourceHeight:columns:pixelRows:streamingTo:)``): when rows arrive
/// in order, only the output row being filled is kept; each is handed to `finished` as
/// soon as the source moves past it (and the last by ``finish()``), so a large output (a
/// raster at a terminal's pixel size) needs no grid at all.
final class Accumulator {
    let sourceWidth: Int
    let sourceHeight: Int
    let columns: Int
    let pixelRows: Int
    /// Per output pixel: linear R, G, B (16-bit linear x 8-bit alpha), then summed alpha (0...255).
    var sums: [UInt64]
    /// Per output pixel: how many source pixels fell into it.
    var counts: [UInt32]
    let columnOf: [Int32]
    var cancelled: () -> Bool = { false }
    var rowsSeen = 0
    /// Streaming: the output row `sums` and `counts` hold, and who takes finished rows.
    private var currentRow = 0
    private let finished: ((Accumulator, Int) -> Void)?
    /// Streaming: a row arrived for an output row already handed over (rows out of order).
    private(set) var outOfOrder = false

    /// - Parameter finished: makes it streaming, for rows that arrive in order (not Adam7
    ///   passes): one output row of sums is kept; `finished(self, y)` reads output row `y`
    ///   through ``linearColor(x:y:background:)`` (with any `y`: only that row is held).
    init(sourceWidth: Int, sourceHeight: Int, columns: Int, pixelRows: Int,
         streamingTo finished: ((Accumulator, Int) -> Void)? = nil) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.columns = columns
        self.pixelRows = pixelRows
        let rowsHeld = finished == nil ? pixelRows : 1
        sums = Array(repeating: 0, count: columns * rowsHeld * 4)
        counts = Array(repeating: 0, count: columns * rowsHeld)
        columnOf = (0 ..< sourceWidth).map { Int32($0 * columns / sourceWidth) }
        self.finished = finished
    }

    /// Streaming: hands over the rows up to `row` (exclusive), each emptied after.
    private func advance(to row: Int) {
        guard let finished else { return }
        while currentRow < row {
            finished(self, currentRow)
            sums.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            counts.withUnsafeMutableBufferPointer { $0.update(repeating: 0) }
            currentRow += 1
        }
    }

    /// Streaming: hands over every row not yet handed over (rows no source row reached
    /// are empty: transparent, the background).
    func finish() { advance(to: pixelRows) }

    /// Adds `count` 8-bit RGB (channels 3) or RGBA (channels 4) pixels of source row `y`
    /// that lie at columns `x0`, `x0 + dx`, ... (a whole row, or an Adam7 pass row).
    func add(row y: Int, pixels: UnsafePointer<UInt8>, channels: Int, x0: Int = 0, dx: Int = 1, count: Int? = nil) {
        let count = min(count ?? sourceWidth, x0 < sourceWidth ? (sourceWidth - x0 + dx - 1) / dx : 0)
        rowsSeen += 1
        let ty = min(pixelRows - 1, y * pixelRows / sourceHeight)
        let base: Int
        if finished != nil {
            if ty < currentRow { outOfOrder = true; return }
            advance(to: ty)
            base = 0
        } else {
            base = ty * columns
        }
        sums.withUnsafeMutableBufferPointer { s in
            counts.withUnsafeMutableBufferPointer { c in
                columnOf.withUnsafeBufferPointer { colOf in
                    ColorMath.toLinear16.withUnsafeBufferPointer { lin in
                        var p = pixels
                        if channels == 3 {
                            // Opaque: integer sums of 16-bit linear values, alpha implied.
                            for i in 0 ..< count {
                                let cell = base + Int(colOf[x0 + i * dx])
                                c[cell] &+= 1
                                s[cell * 4] &+= UInt64(lin[Int(p[0])])
                                s[cell * 4 + 1] &+= UInt64(lin[Int(p[1])])
                                s[cell * 4 + 2] &+= UInt64(lin[Int(p[2])])
                                p += 3
                            }
                        } else {
                            for i in 0 ..< count {
                                let cell = base + Int(colOf[x0 + i * dx])
                                let a = UInt64(p[3])
                                c[cell] &+= 1
                                // Scaled down by 255 at the end; kept exact here.
                                s[cell * 4] &+= UInt64(lin[Int(p[0])]) &* a / 255
                                s[cell * 4 + 1] &+= UInt64(lin[Int(p[1])]) &* a / 255
                                s[cell * 4 + 2] &+= UInt64(lin[Int(p[2])]) &* a / 255
                                s[cell * 4 + 3] &+= 255 &- a
                                p += 4
                            }
                        }
                    }
                }
            }
        }
    }

    /// The average of output pixel (x, y) composited over `background`, in linear light.
    func linearColor(x: Int, y: Int, background: (Float, Float, Float)) -> (Float, Float, Float) {
        let i = (finished == nil ? y * columns : 0) + x
        let n = Float(max(counts[i], 1))
        // Slot 3 sums the missing alpha (255 - a), so opaque rows need not touch it.
        let uncovered = Float(sums[i * 4 + 3]) / 255
        let scale: Float = 1 / 65535
        return ((Float(sums[i * 4]) * scale + background.0 * uncovered) / n,
                (Float(sums[i * 4 + 1]) * scale + background.1 * uncovered) / n,
                (Float(sums[i * 4 + 2]) * scale + background.2 * uncovered) / n)
    }
}
