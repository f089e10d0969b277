/// Box-filters decoded rows into a small grid of linear-light averages, one row at a
/// time, so the decoded image never exists whole in memory.
final class Accumulator {
    let sourceWidth: Int
    let sourceHeight: Int
    let columns: Int
    let pixelRows: Int
    /// Per output pixel: alpha-weighted linear R, G, B, then summed alpha (0...1).
    var sums: [Float]
    /// Per output pixel: how many source pixels fell into it.
    var counts: [Int32]
    let columnOf: [Int32]
    var cancelled: () -> Bool = { false }
    var rowsSeen = 0

    init(sourceWidth: Int, sourceHeight: Int, columns: Int, pixelRows: Int) {
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        self.columns = columns
        self.pixelRows = pixelRows
        sums = Array(repeating: 0, count: columns * pixelRows * 4)
        counts = Array(repeating: 0, count: columns * pixelRows)
        columnOf = (0 ..< sourceWidth).map { Int32($0 * columns / sourceWidth) }
    }

    /// Adds one row of 8-bit RGBA pixels.
    func add(row y: Int, rgba: UnsafePointer<UInt8>) {
        rowsSeen += 1
        let ty = min(pixelRows - 1, y * pixelRows / sourceHeight)
        let lin = ColorMath.toLinear
        let base = ty * columns
        sums.withUnsafeMutableBufferPointer { s in
            counts.withUnsafeMutableBufferPointer { c in
                columnOf.withUnsafeBufferPointer { colOf in
                    lin.withUnsafeBufferPointer { lin in
                        var p = rgba
                        for x in 0 ..< sourceWidth {
                            let cell = base + Int(colOf[x])
                            let a = p[3]
                            c[cell] &+= 1
                            if a == 255 {
                                s[cell * 4] += lin[Int(p[0])]
                                s[cell * 4 + 1] += lin[Int(p[1])]
                                s[cell * 4 + 2] += lin[Int(p[2])]
                                s[cell * 4 + 3] += 1
                            } else if a != 0 {
                                let af = Float(a) * (1 / 255)
                                s[cell * 4] += lin[Int(p[0])] * af
                                s[cell * 4 + 1] += lin[Int(p[1])] * af
                                s[cell * 4 + 2] += lin[Int(p[2])] * af
                                s[cell * 4 + 3] += af
                            }
                            p += 4
                        }
                    }
                }
            }
        }
    }

    /// The average of output pixel (x, y) composited over `background`, in linear light.
    func linearColor(x: Int, y: Int, background: (Float, Float, Float)) -> (Float, Float, Float) {
        let i = y * columns + x
        let n = Float(max(counts[i], 1))
        let cover = sums[i * 4 + 3]
        let rest = n - cover
        return ((sums[i * 4] + background.0 * rest) / n,
                (sums[i * 4 + 1] + background.1 * rest) / n,
                (sums[i * 4 + 2] + background.2 * rest) / n)
    }
}
