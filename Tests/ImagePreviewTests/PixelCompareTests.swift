import CTurboJPEG
import Glibc
import ImagePreview
import Testing
import TestSupport

func compare(_ received: [UInt8], _ disk: [UInt8]) throws -> PixelComparison {
    try received.withUnsafeBytes { r in try disk.withUnsafeBytes { d in try PixelCompare.compare(received: r, disk: d) } }
}

/// A 40x30 picture with every channel varying, so a decode that drops or shifts
/// anything shows.
func picture(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) { (UInt8(x * 6), UInt8(y * 8), UInt8((x * y) % 256)) }

/// Splices an ancillary chunk in after IHDR: other bytes, the same pixels.
func withExtraChunk(_ png: [UInt8]) -> [UInt8] {
    Array(png[0 ..< 33]) + PNGWriter.chunk("tEXt", Array("Software\u{0}a re-encoder".utf8)) + Array(png[33...])
}

@Suite struct PixelCompareTests {
    let base = PNGWriter.rgb(width: 40, height: 30, picture)

    @Test func theSameBytesAreIdentical() throws {
        let c = try compare(base, base)
        #expect(c.verdict == .identicalBytes)
        #expect(c.isSamePicture)
        #expect(c.sentence == "identical bytes (\(base.count) B)")
    }

    @Test func otherChunksAreTheSamePixelsInOtherBytes() throws {
        let reencoded = withExtraChunk(base)
        let c = try compare(reencoded, base)
        #expect(c.verdict == .samePixels)
        #expect(c.sentence == "same pixels, different bytes (re-encoded: \(reencoded.count) B received, \(base.count) B on disk)")
        #expect(c.heatMap == nil)
    }

    /// PngSuite's interlaced and plain encodings of each image: same pixels, other bytes
    /// (16-bit ones included, compared at 16 bits).
    @Test(arguments: ["0g01", "0g08", "0g16", "2c08", "2c16", "3p02", "3p08", "4a08", "4a16", "6a08", "6a16"])
    func anInterlacedCopyHasTheSamePixels(kind: String) throws {
        let plain = try #require(Fixtures.read(pngSuite + "/basn\(kind).png"))
        let interlaced = try #require(Fixtures.read(pngSuite + "/basi\(kind).png"))
        let c = try compare(interlaced, plain)
        #expect(c.verdict == .samePixels)
        #expect(c.depthMaximum == (kind.hasSuffix("16") ? 65535 : 255))
    }

    @Test func onePixelChangedIsCountedAndLocated() throws {
        let changed = PNGWriter.rgb(width: 40, height: 30) { x, y in x == 37 && y == 2 ? (255, 0, 0) : picture(x, y) }
        let c = try compare(changed, base)
        #expect(c.verdict == .differentPixels)
        #expect(c.differingPixels == 1)
        #expect(c.pixels == 1200)
        let original = picture(37, 2)
        let expectedMax = max(255 - Int(original.0), Int(original.1), Int(original.2))
        #expect(c.maxDifference == expectedMax)
        #expect(c.depthMaximum == 255)
        let psnr = try #require(c.psnr)
        // One pixel's squared error over 1200 x 3 samples (opaque: R, G, B, as ImageMagick).
        let o = (Int(original.0) - 255, Int(original.1), Int(original.2))
        let mse = Double(o.0 * o.0 + o.1 * o.1 + o.2 * o.2) / 3600 / (255.0 * 255.0)
        #expect(abs(psnr - 10 * log10(1 / mse)) < 0.01)
        let heat = try #require(c.heatMap)
        #expect(heat.width == 40 && heat.height == 30)
        #expect(heat.cells.enumerated().filter { $0.element > 0 }.map(\.offset) == [2 * 40 + 37])
        #expect(c.sentence.hasPrefix("different pixels: 1 of 1200 differ, largest channel difference \(expectedMax)/255, PSNR "))
    }

    @Test func sixteenBitIsComparedAtFullDepth() throws {
        // The exact 16-bit copy (v * 257) has the same pixels; one sample off by 1/65535 does not.
        func deep(_ tweak: Bool) -> [UInt8] {
            let rows = (0 ..< 30).map { y in
                (0 ..< 40).flatMap { x -> [UInt8] in
                    let p = picture(x, y)
                    return [p.0, p.1, p.2].enumerated().flatMap { i, v -> [UInt8] in
                        var w = UInt16(v) * 257
                        if tweak && x == 0 && y == 0 && i == 0 { w = w == 0 ? 1 : w - 1 }
                        return [UInt8(w >> 8), UInt8(w & 0xFF)]
                    }
                }
            }
            return PNGWriter.encode(width: 40, height: 30, colorType: 2, bitDepth: 16, rows: rows)
        }
        let same = try compare(deep(false), base)
        #expect(same.verdict == .samePixels)
        #expect(same.depthMaximum == 65535)
        let off = try compare(deep(true), base)
        #expect(off.verdict == .differentPixels)
        #expect(off.differingPixels == 1)
        #expect(off.maxDifference == 1)  // 1/65535: invisible at 8 bits, still a difference
    }

    @Test func aPaletteImageEqualsItsRGBForm() throws {
        let colors: [(UInt8, UInt8, UInt8)] = [(0, 0, 0), (200, 30, 40), (10, 220, 90), (255, 255, 255)]
        let index = { (x: Int, y: Int) in (x / 10 + y / 10) % 4 }
        let palette = PNGWriter.encode(width: 40, height: 30, colorType: 3, bitDepth: 8,
                                       rows: (0 ..< 30).map { y in (0 ..< 40).map { x in UInt8(index(x, y)) } }, palette: colors)
        let rgb = PNGWriter.rgb(width: 40, height: 30) { x, y in colors[index(x, y)] }
        #expect(try compare(palette, rgb).verdict == .samePixels)
    }

    @Test func alphaCountsButInvisibleColourDoesNot() throws {
        let opaque = PNGWriter.rgba(width: 40, height: 30) { x, y in let p = picture(x, y); return (p.0, p.1, p.2, 255) }
        // Alpha 254 at one pixel: a difference of 1/255.
        let translucent = PNGWriter.rgba(width: 40, height: 30) { x, y in
            let p = picture(x, y); return (p.0, p.1, p.2, x == 5 && y == 5 ? 254 : 255)
        }
        let c = try compare(translucent, opaque)
        #expect(c.verdict == .differentPixels && c.differingPixels == 1 && c.maxDifference == 1)
        // An opaque RGB image equals its RGBA form with alpha 255.
        #expect(try compare(opaque, base).verdict == .samePixels)
        // Fully transparent pixels hiding other colours are the same picture.
        let clearA = PNGWriter.rgba(width: 40, height: 30) { x, _ in x < 20 ? (0, 0, 0, 0) : (9, 9, 9, 255) }
        let clearB = PNGWriter.rgba(width: 40, height: 30) { x, _ in x < 20 ? (255, 0, 255, 0) : (9, 9, 9, 255) }
        #expect(try compare(clearA, clearB).verdict == .samePixels)
    }

    @Test func aJPEGOfThePNGIsALossyDifferenceWithAHighPSNR() throws {
        // Smooth, as photos are: JPEG's 4:2:0 chroma would smear the noisy test picture.
        let smooth = { (x: Int, y: Int) -> (UInt8, UInt8, UInt8) in (UInt8(x * 6), UInt8(y * 8), UInt8((x + y) * 3)) }
        let png = PNGWriter.rgb(width: 40, height: 30, smooth)
        let photo = jpeg(width: 40, height: 30, quality: 95, smooth)
        let c = try compare(photo, png)
        #expect(c.verdict == .differentPixels)
        let psnr = try #require(c.psnr)
        #expect(psnr > 25 && psnr < 80, "PSNR \(psnr)")
        #expect(c.sentence.hasSuffix("(JPEG received, PNG on disk: a lossy re-encode)"))
        let coarse = try compare(jpeg(width: 40, height: 30, quality: 10, smooth), png)
        #expect(try #require(coarse.psnr) < psnr)  // lower quality, lower PSNR
    }

    @Test func otherDimensionsAreNotComparedPixelByPixel() throws {
        let wider = PNGWriter.rgb(width: 41, height: 30, picture)
        let c = try compare(wider, base)
        #expect(c.verdict == .differentDimensions)
        #expect(c.sentence == "different dimensions: 41x30 received, 40x30 on disk")
        #expect(!c.isSamePicture)
    }

    @Test func notAnImageIsRefusedUnlessTheBytesAreIdentical() throws {
        let text = Array("hello".utf8)
        #expect(try compare(text, text).verdict == .identicalBytes)
        #expect(throws: ImageError.unsupported(.unknown)) { try compare(text, base) }
    }

    /// SSIM's statistics: 48 bytes per 8x8 block (400x300: 50 x 38 blocks).
    static let ssimBytes = 50 * 38 * 48

    @Test func theMemoryBudgetIsCheckedBeforeDecoding() throws {
        let big = PNGWriter.rgb(width: 400, height: 300) { _, _ in (1, 2, 3) }
        let other = PNGWriter.rgb(width: 400, height: 300) { _, _ in (1, 2, 4) }
        #expect(throws: ImageError.self) {
            try big.withUnsafeBytes { a in try other.withUnsafeBytes { b in
                try PixelCompare.compare(received: a, disk: b, maxMemory: 400 * 300 * 4 + Self.ssimBytes - 1)
            } }
        }
        #expect(try big.withUnsafeBytes { a in try other.withUnsafeBytes { b in
            try PixelCompare.compare(received: a, disk: b, maxMemory: 400 * 300 * 4 + Self.ssimBytes)
        } }.differingPixels == 400 * 300)
    }
}

/// One memory budget for a comparison as a whole: the first image held decoded and the
/// second decode's own needs (a progressive JPEG's coefficients) must fit in it together.
@Suite struct CompareBudgetTests {
    @Test func twoProgressiveJPEGsShareOneMemoryBudget() throws {
        let progressive = Int32(TJFLAG_PROGRESSIVE)
        let a = jpeg(width: 2000, height: 2000, flags: progressive) { x, y in (UInt8(x & 255), UInt8(y & 255), 7) }
        let b = jpeg(width: 2000, height: 2000, flags: progressive) { x, y in (UInt8(y & 255), UInt8(x & 255), 7) }
        // 2000x2000 held at 8 bytes a pixel is 30 MiB; each decode's coefficients about 23 MiB more.
        let budget = 40 << 20
        #expect(throws: ImageError.self) {
            try a.withUnsafeBytes { ra in try b.withUnsafeBytes { rb in
                try PixelCompare.compare(received: ra, disk: rb, maxMemory: budget)
            } }
        }
        let fits = try a.withUnsafeBytes { ra in try b.withUnsafeBytes { rb in
            try PixelCompare.compare(received: ra, disk: rb, maxMemory: 128 << 20)
        } }
        #expect(fits.verdict == .differentPixels)
    }
}

/// The threshold and the difference picture (`compare --threshold`, `--diff`).
@Suite struct DifferencePictureTests {
    static let width = 64, height = 48
    /// A: the test picture. B: A with a 10x5 block one step redder and one pixel far off.
    static func pic(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) { (UInt8(x * 4), UInt8(y * 5), UInt8((x * y) % 256)) }
    static let a = PNGWriter.rgb(width: width, height: height, pic)
    static let b = PNGWriter.rgb(width: width, height: height) { x, y in
        var p = pic(x, y)
        if (20 ..< 30).contains(x) && (10 ..< 15).contains(y) { p.0 = p.0 == 255 ? 254 : p.0 + 1 }
        if x == 50 && y == 40 { p.2 = p.2 &+ 200 }
        return p
    }
    static func changed(_ x: Int, _ y: Int) -> Bool { ((20 ..< 30).contains(x) && (10 ..< 15).contains(y)) || (x == 50 && y == 40) }

    static func run(threshold: Int, picture: Bool = true) throws -> PixelComparison {
        try a.withUnsafeBytes { ra in
            try b.withUnsafeBytes { rb in try PixelCompare.compare(received: ra, disk: rb, threshold: threshold, differencePicture: picture) }
        }
    }

    @Test func theThresholdCountsSmallDifferencesApart() throws {
        let exact = try Self.run(threshold: 0, picture: false)
        #expect(exact.verdict == .differentPixels && exact.differingPixels == 51 && exact.withinThreshold == 0)
        let one = try Self.run(threshold: 1, picture: false)
        #expect(one.verdict == .differentPixels && one.differingPixels == 1 && one.withinThreshold == 50, "\(one.sentence)")
        let wide = try Self.run(threshold: 255, picture: false)
        #expect(wide.verdict == .withinThreshold && wide.isSamePicture && wide.withinThreshold == 51, "\(wide.sentence)")
        #expect(exact.psnr == one.psnr && one.psnr == wide.psnr)
    }

    /// SSIM: near 1 for a tiny change, lower for a large one, absent when nothing differs.
    @Test func structuralSimilarityFollowsHowMuchChanged() throws {
        let small = try Self.run(threshold: 0, picture: false)
        let ssim = try #require(small.ssim)
        #expect(ssim > 0.95 && ssim < 1, "\(ssim)")
        let noisy = PNGWriter.rgb(width: Self.width, height: Self.height) { x, y in
            let p = Self.pic(x, y)
            return (p.0 ^ UInt8((x * 37 + y * 91) % 256), p.1 ^ UInt8((x * 53 + y * 17) % 256), p.2)
        }
        let big = try Self.a.withUnsafeBytes { ra in try noisy.withUnsafeBytes { try PixelCompare.compare(received: ra, disk: $0) } }
        let bigSSIM = try #require(big.ssim)
        #expect(bigSSIM < ssim - 0.2, "\(bigSSIM) vs \(ssim)")
        let same = try compare(Self.a, withExtraChunk(Self.a))
        #expect(same.verdict == .samePixels && same.ssim == nil)
    }

    /// Exactly the changed pixels are coloured (the 1/255 ones visibly), every other one
    /// is a faded grey; the PNG written decodes to the same picture.
    @Test func exactlyTheChangedPixelsAreColoured() throws {
        let r = try Self.run(threshold: 0)
        let px = try #require(r.differencePicture)
        #expect(px.count == Self.width * Self.height * 4)
        for y in 0 ..< Self.height {
            for x in 0 ..< Self.width {
                let o = (y * Self.width + x) * 4
                let grey = px[o] == px[o + 1] && px[o + 1] == px[o + 2] && px[o] >= 191
                if Self.changed(x, y) {
                    #expect(!grey && px[o] >= 200 && Int(px[o]) - Int(px[o + 2]) >= 60, "pixel \(x),\(y): \(px[o ..< o + 4])")
                } else {
                    #expect(grey, "pixel \(x),\(y): \(px[o ..< o + 4])")
                }
            }
        }
        let png = try PNGEncoder.rgba8(px, width: Self.width, height: Self.height)
        let roundTrip = PNGWriter.rgba(width: Self.width, height: Self.height) { x, y in
            let o = (y * Self.width + x) * 4
            return (px[o], px[o + 1], px[o + 2], px[o + 3])
        }
        let same = try compare(png, roundTrip)
        #expect(same.verdict == .samePixels, "\(same.sentence)")
        let within = try Self.run(threshold: 1)
        let wp = try #require(within.differencePicture)
        let o = (12 * Self.width + 25) * 4
        #expect(Array(wp[o ..< o + 4]) == [150, 190, 255, 255], "a pixel within the threshold is pale blue")
    }
}
