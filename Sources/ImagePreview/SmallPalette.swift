import Glibc
import TerminalColors

/// The 8 or 16 ANSI colours (xterm's default values) and a perceptual match into them:
/// nearest in OKLab, after optional dithering in linear light, so an 8-colour terminal
/// still shows a recognisable picture instead of the nearest-RGB blotches.
struct SmallPalette {
    /// The palette's colours, index = ANSI colour number.
    let colors: [RGB]
    /// The same in OKLab (L, a, b).
    private let lab: [(Float, Float, Float)]
    /// The same in linear light.
    private let linear: [(Float, Float, Float)]

    /// xterm's default 16 colours.
    static let xterm16: [RGB] = Palette.basicColors.map { RGB($0.0, $0.1, $0.2) }

    /// The palette for a depth of 8 or 16 colours; nil for others.
    init?(_ depth: PreviewOptions.ColorDepth) {
        switch depth {
        case .ansi8: colors = Array(Self.xterm16.prefix(8))
        case .ansi16: colors = Self.xterm16
        default: return nil
        }
        linear = colors.map { (ColorMath.toLinear[Int($0.r)], ColorMath.toLinear[Int($0.g)], ColorMath.toLinear[Int($0.b)]) }
        lab = linear.map(Self.oklab)
    }

    /// OKLab of a linear-light colour (Björn Ottosson's matrices).
    static func oklab(_ c: (Float, Float, Float)) -> (Float, Float, Float) {
        let l = cbrt(0.4122214708 * c.0 + 0.5363325363 * c.1 + 0.0514459929 * c.2)
        let m = cbrt(0.2119034982 * c.0 + 0.6806995451 * c.1 + 0.1073969566 * c.2)
        let s = cbrt(0.0883024619 * c.0 + 0.2817188376 * c.1 + 0.6299787005 * c.2)
        return (0.2104542553 * l + 0.7936177850 * m - 0.0040720468 * s,
                1.9779984951 * l - 2.4285922050 * m + 0.4505937099 * s,
                0.0259040371 * l + 0.7827717662 * m - 0.8086757660 * s)
    }

    private static func cbrt(_ v: Float) -> Float { v <= 0 ? 0 : cbrtf(v) }

    /// For half blocks: palette indices for the top and bottom of every cell of a
    /// `columns` x `rows` grid, chosen as a pair. The eye mixes a cell's two halves, so a
    /// pair of 8 colours can show 36 mixtures: each cell takes the pair whose mixture is
    /// nearest (OKLab) to the cell's colour, with a smaller weight on each half matching
    /// its own pixels (which keeps edges and the halves' order), and the cell's remaining
    /// error is diffused to its neighbours (Floyd-Steinberg, linear light) or a Bayer
    /// threshold added first. Returns `2 * rows` rows of `columns` indices.
    func quantizeCells(columns: Int, rows: Int, dither: PreviewOptions.Dither,
                       pixel: (Int, Int) -> (Float, Float, Float)) -> [UInt8] {
        let n = colors.count
        var mixLab = [(Float, Float, Float)](), mixLinear = [(Float, Float, Float)]()
        for i in 0 ..< n {
            for j in 0 ..< n {
                let m = ((linear[i].0 + linear[j].0) / 2, (linear[i].1 + linear[j].1) / 2, (linear[i].2 + linear[j].2) / 2)
                mixLinear.append(m)
                mixLab.append(Self.oklab(m))
            }
        }
        func distance(_ a: (Float, Float, Float), _ b: (Float, Float, Float)) -> Float {
            (a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1) + (a.2 - b.2) * (a.2 - b.2)
        }
        func clamp(_ c: (Float, Float, Float)) -> (Float, Float, Float) {
            (max(0, min(1, c.0)), max(0, min(1, c.1)), max(0, min(1, c.2)))
        }
        let halfWeight: Float = 0.1
        var out = [UInt8](repeating: 0, count: columns * rows * 2)
        var current = [(Float, Float, Float)](repeating: (0, 0, 0), count: columns + 2)
        var next = current
        for y in 0 ..< rows {
            let leftToRight = y % 2 == 0
            for step in 0 ..< columns {
                let x = leftToRight ? step : columns - 1 - step
                let top = pixel(x, 2 * y), bottom = pixel(x, 2 * y + 1)
                var cell = ((top.0 + bottom.0) / 2, (top.1 + bottom.1) / 2, (top.2 + bottom.2) / 2)
                switch dither {
                case .diffusion:
                    let e = current[x + 1]
                    cell = (cell.0 + e.0, cell.1 + e.1, cell.2 + e.2)
                case .ordered:
                    let t = Self.bayer[(y & 3) * 4 + (x & 3)] * (n == 8 ? 0.25 : 0.15)
                    cell = (cell.0 + t, cell.1 + t, cell.2 + t)
                case .none:
                    break
                }
                let target = Self.oklab(clamp(cell))
                let topLab = Self.oklab(clamp(top)), bottomLab = Self.oklab(clamp(bottom))
                var best = 0
                var bestCost = Float.infinity
                for k in 0 ..< n * n {
                    let cost = distance(mixLab[k], target)
                        + halfWeight * (distance(lab[k / n], topLab) + distance(lab[k % n], bottomLab))
                    if cost < bestCost { bestCost = cost; best = k }
                }
                out[2 * y * columns + x] = UInt8(best / n)
                out[(2 * y + 1) * columns + x] = UInt8(best % n)
                if dither == .diffusion {
                    let q = mixLinear[best]
                    let err = (cell.0 - q.0, cell.1 - q.1, cell.2 - q.2)
                    func add(_ array: inout [(Float, Float, Float)], _ at: Int, _ w: Float) {
                        array[at].0 += err.0 * w
                        array[at].1 += err.1 * w
                        array[at].2 += err.2 * w
                    }
                    let ahead = leftToRight ? x + 2 : x, behind = leftToRight ? x : x + 2
                    add(&current, ahead, 7 / 16)
                    add(&next, behind, 3 / 16)
                    add(&next, x + 1, 5 / 16)
                    add(&next, ahead, 1 / 16)
                }
            }
            current = next
            next = [(Float, Float, Float)](repeating: (0, 0, 0), count: columns + 2)
        }
        return out
    }

    /// A 4x4 Bayer matrix, thresholds in -0.5...0.5.
    static let bayer: [Float] = [0, 8, 2, 10, 12, 4, 14, 6, 3, 11, 1, 9, 15, 7, 13, 5].map { ($0 + 0.5) / 16 - 0.5 }
}
