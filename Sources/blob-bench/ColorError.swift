import Foundation
import ImagePreview
import TerminalColors

/// Measures how faithful an 8- or 16-colour half-block rendering is: every cell's
/// displayed colour (xterm's default palette, its two halves mixed) against the image
/// box-filtered to the same grid, as mean CIE76 Delta E. Understands the SGR codes such renderings use (30-37,
/// 40-47, 90-97, 100-107, 39/49 defaults, 7/27 reverse, 0 reset) and the glyphs
/// ▀ ▄ █ and space; any other glyph counts as its cell's two colours mixed evenly.
enum ColorError {
    static let palette: [(Double, Double, Double)] = Palette.basicColors.map { (Double($0.0), Double($0.1), Double($0.2)) }

    struct Result { var mean: Double; var columns: Int; var rows: Int }

    /// Each line's half cells as (top, bottom) sRGB colours.
    static func cells(_ text: String) -> [[((Double, Double, Double), (Double, Double, Double))]] {
        var rows = [[((Double, Double, Double), (Double, Double, Double))]]()
        var fg = 7, bg = 0, reverse = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
            var row = [((Double, Double, Double), (Double, Double, Double))]()
            var scalars = line.unicodeScalars[...]
            while let c = scalars.first {
                scalars = scalars.dropFirst()
                if c == "\u{1b}" {
                    guard scalars.first == "[" else { continue }
                    scalars = scalars.dropFirst()
                    var body = ""
                    while let d = scalars.first, !(d.value >= 0x40 && d.value <= 0x7E) { body.unicodeScalars.append(d); scalars = scalars.dropFirst() }
                    guard let final = scalars.first else { break }
                    scalars = scalars.dropFirst()
                    guard final == "m" else { continue }
                    let params = body.isEmpty ? [0] : body.split(separator: ";", omittingEmptySubsequences: false).map { Int($0) ?? 0 }
                    var i = 0
                    while i < params.count {
                        let p = params[i]
                        switch p {
                        case 0: fg = 7; bg = 0; reverse = false
                        case 7: reverse = true
                        case 27: reverse = false
                        case 30 ... 37: fg = p - 30
                        case 40 ... 47: bg = p - 40
                        case 90 ... 97: fg = p - 90 + 8
                        case 100 ... 107: bg = p - 100 + 8
                        case 39: fg = 7
                        case 49: bg = 0
                        case 38, 48:
                            if i + 2 < params.count, params[i + 1] == 5, params[i + 2] < 16 {
                                if p == 38 { fg = params[i + 2] } else { bg = params[i + 2] }
                            }
                            i += 2
                        default: break
                        }
                        i += 1
                    }
                    continue
                }
                let f = palette[reverse ? bg : fg], b = palette[reverse ? fg : bg]
                switch c {
                case "\u{2580}": row.append((f, b))
                case "\u{2584}": row.append((b, f))
                case "\u{2588}": row.append((f, f))
                case " ": row.append((b, b))
                default:
                    let mix = ((f.0 + b.0) / 2, (f.1 + b.1) / 2, (f.2 + b.2) / 2)
                    row.append((mix, mix))
                }
            }
            if !row.isEmpty { rows.append(row) }
        }
        return rows
    }

    /// Mean Delta E of each cell's colour (its two halves mixed in linear light, as the
    /// eye averages them) against the image box-filtered to one pixel per cell.
    static func meanDeltaE(ansi: String, image: [UInt8]) throws -> Result {
        let grid = cells(ansi)
        let rows = grid.count, columns = grid.map(\.count).max() ?? 0
        let (_, reference) = try image.withUnsafeBytes {
            try Preview.raster($0, boxWidth: columns, boxHeight: rows, options: PreviewOptions(), exact: true)
        }
        func lin(_ v: Double) -> Double { let s = v / 255; return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4) }
        func srgb(_ l: Double) -> Double { 255 * (l <= 0.0031308 ? l * 12.92 : 1.055 * pow(l, 1 / 2.4) - 0.055) }
        var sum = 0.0, n = 0
        for (y, row) in grid.enumerated() where y < reference.height {
            for (x, cell) in row.enumerated() where x < reference.width {
                let mixed = (srgb((lin(cell.0.0) + lin(cell.1.0)) / 2), srgb((lin(cell.0.1) + lin(cell.1.1)) / 2),
                             srgb((lin(cell.0.2) + lin(cell.1.2)) / 2))
                let o = (y * reference.width + x) * 3
                let r = (Double(reference.rgb[o]), Double(reference.rgb[o + 1]), Double(reference.rgb[o + 2]))
                sum += deltaE(lab(mixed), lab(r))
                n += 1
            }
        }
        return Result(mean: sum / Double(max(n, 1)), columns: columns, rows: rows)
    }

    static func lab(_ c: (Double, Double, Double)) -> (Double, Double, Double) {
        func lin(_ v: Double) -> Double { let s = v / 255; return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4) }
        let (r, g, b) = (lin(c.0), lin(c.1), lin(c.2))
        let x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
        let y = 0.2126 * r + 0.7152 * g + 0.0722 * b
        let z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
        func f(_ t: Double) -> Double { t > 216.0 / 24389 ? cbrt(t) : (24389.0 / 27 * t + 16) / 116 }
        return (116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z)))
    }

    static func deltaE(_ a: (Double, Double, Double), _ b: (Double, Double, Double)) -> Double {
        ((a.0 - b.0) * (a.0 - b.0) + (a.1 - b.1) * (a.1 - b.1) + (a.2 - b.2) * (a.2 - b.2)).squareRoot()
    }
}

extension Array where Element == UInt8 {
    init(contentsOf path: String) throws {
        self = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
