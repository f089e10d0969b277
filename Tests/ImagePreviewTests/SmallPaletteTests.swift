import Glibc
import ImagePreview
import Testing
import TestSupport

/// 8 and 16 colours: the codes stay in the palette, and the cells' colours follow the
/// image better than the nearest colour alone.
@Suite struct SmallPaletteTests {
    /// A smooth gradient with no palette colour in it.
    let png = PNGWriter.rgb(width: 200, height: 100) { x, y in (UInt8(60 + x / 2), UInt8(40 + y), UInt8(120 - x / 4)) }

    func cells(_ options: PreviewOptions) throws -> CellGrid {
        try png.withUnsafeBytes { try Preview.render($0, options: options).1 }
    }

    /// Mean distance (sRGB, per channel) between the image box-filtered to blocks of
    /// `block` x `block` cells and those cells' colours mixed (each cell's two halves, then
    /// the block, in linear light): how well the picture reads from a step back.
    func blockError(_ grid: CellGrid, block: Int) throws -> Double {
        let bw = grid.width / block, bh = grid.height / block
        let (_, reference) = try png.withUnsafeBytes {
            try Preview.raster($0, boxWidth: bw, boxHeight: bh, options: PreviewOptions(), exact: true)
        }
        func lin(_ v: UInt8) -> Double { let s = Double(v) / 255; return s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4) }
        func enc(_ l: Double) -> Double { 255 * (l <= 0.0031308 ? l * 12.92 : 1.055 * pow(l, 1 / 2.4) - 0.055) }
        var sum = 0.0
        for by in 0 ..< bh {
            for bx in 0 ..< bw {
                var mix = [0.0, 0.0, 0.0]
                for y in by * block ..< (by + 1) * block {
                    for x in bx * block ..< (bx + 1) * block {
                        let c = grid[x, y]
                        let f = try #require(c.foreground), b = try #require(c.background)
                        mix[0] += lin(f.r) + lin(b.r)
                        mix[1] += lin(f.g) + lin(b.g)
                        mix[2] += lin(f.b) + lin(b.b)
                    }
                }
                let n = Double(2 * block * block)
                for i in 0 ..< 3 { sum += abs(enc(mix[i] / n) - Double(reference.rgb[(by * bw + bx) * 3 + i])) }
            }
        }
        return sum / Double(bw * bh * 3)
    }

    @Test func eightColoursUseOnlyTheBasicCodes() throws {
        var options = PreviewOptions(columns: 40, rows: 10, mode: .blocks, color: .ansi8)
        let text = AnsiText.render(try cells(options), color: .ansi8)
        let codes = text.split(separator: "\u{1b}").compactMap { $0.hasPrefix("[") ? Int($0.dropFirst().prefix { $0.isNumber }) : nil }
        #expect(!codes.isEmpty && codes.allSatisfy { (30 ... 37).contains($0) || (40 ... 47).contains($0) || $0 == 0 })
        options.color = .ansi16
        let sixteen = AnsiText.render(try cells(options), color: .ansi16)
        #expect(!sixteen.contains("38;") && !sixteen.contains("48;"))
    }

    /// Dithering trades each cell's own error for the area's: seen from a step back (blocks
    /// of 5 x 5 cells), both ditherings follow a gradient with no palette colour in it
    /// better than the nearest pairs alone.
    @Test(arguments: [PreviewOptions.ColorDepth.ansi8, .ansi16])
    func ditheringFollowsTheImageBetterThanTheNearestColours(depth: PreviewOptions.ColorDepth) throws {
        var options = PreviewOptions(columns: 40, rows: 10, mode: .blocks, color: depth)
        options.dither = .none
        let plain = try blockError(try cells(options), block: 5)
        options.dither = .diffusion
        let diffused = try blockError(try cells(options), block: 5)
        options.dither = .ordered
        let ordered = try blockError(try cells(options), block: 5)
        #expect(diffused < plain, "diffusion \(diffused) vs nearest \(plain)")
        #expect(ordered < plain, "ordered \(ordered) vs nearest \(plain)")
    }
}
