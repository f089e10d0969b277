import CTurboJPEG
import ImagePreview
import Testing
import TestSupport

func render(_ bytes: [UInt8], _ options: PreviewOptions = PreviewOptions()) throws -> (ImageInfo, CellGrid) {
    try bytes.withUnsafeBytes { try Preview.render($0, options: options) }
}

func rampIndex(_ c: Unicode.Scalar) -> Int { Preview.ramp.firstIndex(of: c)! }

/// Encodes RGB pixels as a JPEG with TurboJPEG.
func jpeg(width: Int, height: Int, quality: Int32 = 90, flags: Int32 = 0, _ pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8] {
    var rgb = [UInt8]()
    rgb.reserveCapacity(width * height * 3)
    for y in 0 ..< height { for x in 0 ..< width { let p = pixel(x, y); rgb += [p.0, p.1, p.2] } }
    let tj = tjInitCompress()
    defer { tjDestroy(tj) }
    var out: UnsafeMutablePointer<UInt8>?
    var size: UInt = 0
    let rc = tjCompress2(tj, rgb, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), &out, &size,
                         Int32(TJSAMP_420.rawValue), quality, flags)
    precondition(rc == 0)
    defer { tjFree(out) }
    return Array(UnsafeBufferPointer(start: out, count: Int(size)))
}

@Suite struct RenderTests {
    @Test func leftBlackRightWhiteGivesDarkThenBrightColumns() throws {
        let png = PNGWriter.rgb(width: 200, height: 100) { x, _ in x < 100 ? (0, 0, 0) : (255, 255, 255) }
        let (_, grid) = try render(png, PreviewOptions(columns: 40, rows: 10))
        #expect(grid.width == 40 && grid.height == 10)
        for y in 0 ..< grid.height {
            #expect(grid.rowText(y) == String(repeating: " ", count: 20) + String(repeating: "@", count: 20))
        }
        let inverted = try render(png, PreviewOptions(columns: 40, rows: 10, invert: true)).1
        #expect(inverted.rowText(0) == String(repeating: "@", count: 20) + String(repeating: " ", count: 20))
    }

    @Test func aGradientGivesAMonotoneRampUsingManyLevels() throws {
        let png = PNGWriter.rgb(width: 256, height: 16) { x, _ in (UInt8(x), UInt8(x), UInt8(x)) }
        let (_, grid) = try render(png, PreviewOptions(columns: 64, rows: 8))
        let levels = grid.rowText(0).unicodeScalars.map(rampIndex)
        #expect(levels == levels.sorted())
        #expect(Set(levels).count >= 10)
        #expect(levels.first == 0 && levels.last == Preview.ramp.count - 1)
        #expect(grid.rowText(0).utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F })
    }

    @Test func averagingHappensInLinearLight() throws {
        // Alternating black and white columns average to 50% linear light, which is
        // sRGB 188 (not 128 as a gamma-space average would give).
        let png = PNGWriter.rgb(width: 64, height: 64) { x, _ in x % 2 == 0 ? (0, 0, 0) : (255, 255, 255) }
        let (_, grid) = try render(png, PreviewOptions(columns: 8, rows: 4, mode: .blocks, color: .truecolor))
        let fg = try #require(grid[0, 0].foreground)
        #expect(abs(Int(fg.r) - 188) <= 1 && fg.r == fg.g && fg.g == fg.b)
    }

    @Test func fullyTransparentImageShowsOnlyTheBackground() throws {
        // The hidden colour under alpha 0 is bright red: it must not show.
        let png = PNGWriter.rgba(width: 40, height: 40) { _, _ in (255, 0, 0, 0) }
        let onBlack = try render(png, PreviewOptions(columns: 20, rows: 10)).1
        #expect(onBlack.cells.allSatisfy { $0.character == " " })
        let onWhite = try render(png, PreviewOptions(columns: 20, rows: 10, background: RGB(255, 255, 255))).1
        #expect(onWhite.cells.allSatisfy { $0.character == "@" })
        let blocks = try render(png, PreviewOptions(columns: 20, rows: 10, mode: .blocks, color: .truecolor,
                                                    background: RGB(0, 0, 255))).1
        #expect(blocks.cells.allSatisfy { $0.foreground == RGB(0, 0, 255) && $0.background == RGB(0, 0, 255) })
    }

    @Test func halfTransparentPixelsAreAlphaWeighted() throws {
        let png = PNGWriter.rgba(width: 16, height: 16) { _, _ in (255, 255, 255, 128) }
        let cell = try render(png, PreviewOptions(columns: 4, rows: 2, mode: .blocks, color: .truecolor)).1[0, 0]
        // 50% white over black in linear light: about sRGB 188.
        #expect(abs(Int(cell.foreground!.r) - 188) <= 2)
    }

    @Test func sixteenBitAndPaletteTwinsPreviewLikeTheirRGBTwin() throws {
        func value(_ x: Int, _ y: Int) -> UInt8 { UInt8((x * 7 + y * 3) % 256) }
        let w = 64, h = 48
        let rgb8 = PNGWriter.rgb(width: w, height: h) { x, y in (value(x, y), 255 - value(x, y), value(y, x)) }
        let rows16 = (0 ..< h).map { y in
            (0 ..< w).flatMap { x -> [UInt8] in
                [value(x, y), value(x, y), 255 - value(x, y), 255 - value(x, y), value(y, x), value(y, x)]
            }
        }
        let rgb16 = PNGWriter.encode(width: w, height: h, colorType: 2, bitDepth: 16, rows: rows16)
        // Palette: 4 grays, and an RGB twin of the same.
        let grays: [UInt8] = [0, 85, 170, 255]
        let palRows = (0 ..< h).map { y in (0 ..< w).map { x in UInt8((x / 8 + y / 8) % 4) } }
        let pal = PNGWriter.encode(width: w, height: h, colorType: 3, bitDepth: 8, rows: palRows,
                                   palette: grays.map { ($0, $0, $0) })
        let palTwin = PNGWriter.rgb(width: w, height: h) { x, y in let g = grays[(x / 8 + y / 8) % 4]; return (g, g, g) }
        for (a, b) in [(rgb8, rgb16), (pal, palTwin)] {
            let ga = try render(a, PreviewOptions(columns: 32, rows: 12)).1
            let gb = try render(b, PreviewOptions(columns: 32, rows: 12)).1
            #expect(ga.width == gb.width && ga.height == gb.height)
            for (ca, cb) in zip(ga.cells, gb.cells) {
                #expect(abs(rampIndex(ca.character) - rampIndex(cb.character)) <= 1)
            }
        }
    }

    @Test func aTallImageKeepsItsAspect() throws {
        let png = PNGWriter.rgb(width: 100, height: 400) { _, _ in (200, 200, 200) }
        let (_, grid) = try render(png, PreviewOptions(columns: 80, rows: 24))
        #expect(grid.height == 24 && grid.width == 12)  // 100/400 * 24 rows * font ratio 2
        let wide = try render(png, PreviewOptions(columns: 80, rows: 24, fontRatio: 1)).1
        #expect(wide.height == 24 && wide.width == 6)
        let blocks = try render(png, PreviewOptions(columns: 80, rows: 24, mode: .blocks, color: .truecolor)).1
        #expect(blocks.height == 24 && blocks.width == 12)
    }

    @Test func aJPEGRoundUsesDCTScaling() throws {
        let bytes = jpeg(width: 800, height: 400) { x, _ in x < 400 ? (0, 0, 0) : (255, 255, 255) }
        let (info, grid) = try render(bytes, PreviewOptions(columns: 40, rows: 10))
        #expect(info.format == .jpeg && info.width == 800 && info.height == 400 && info.colorType == "YCbCr")
        #expect(grid.width == 40 && grid.height == 10)
        #expect(grid.rowText(5).hasPrefix(String(repeating: " ", count: 18)))
        #expect(grid.rowText(5).hasSuffix(String(repeating: "@", count: 18)))
        #expect(jpegScaledSizeForTests(800, 400, 40, 10) == (100, 50))  // 1/8 is enough here
    }

    @Test func aCMYKJPEGPreviewsToo() throws {
        // Adobe-style inverted CMYK: all 0 is black, all 255 is white.
        let w = 64, h = 32
        var cmyk = [UInt8]()
        for _ in 0 ..< h { for x in 0 ..< w { cmyk += Array(repeating: x < w / 2 ? 0 : 255, count: 4) } }
        let tj = tjInitCompress()
        defer { tjDestroy(tj) }
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        #expect(tjCompress2(tj, cmyk, Int32(w), 0, Int32(h), Int32(TJPF_CMYK.rawValue), &out, &size,
                            Int32(TJSAMP_444.rawValue), 95, 0) == 0)
        let bytes = Array(UnsafeBufferPointer(start: out, count: Int(size)))
        tjFree(out)
        let (info, grid) = try render(bytes, PreviewOptions(columns: 16, rows: 4))
        #expect(info.colorType == "CMYK" && info.width == 64 && info.height == 32)
        #expect(grid.rowText(1).hasPrefix("       ") && grid.rowText(1).hasSuffix("@@@@@@@"))
    }

    @Test func truncatedAndCorruptInputsThrowAndNeverCrash() throws {
        let png = PNGWriter.rgb(width: 30, height: 30) { x, y in (UInt8(x * 8), UInt8(y * 8), 0) }
        let jpg = jpeg(width: 64, height: 64) { x, y in (UInt8(x * 4), UInt8(y * 4), 0) }
        // Every cut of the PNG fails; every cut of the JPEG before its first scan (SOS) fails
        // (later cuts may decode what arrived); none crashes.
        let firstScan = try #require(jpg.indices.dropLast().first { jpg[$0] == 0xFF && jpg[$0 + 1] == 0xDA })
        for (data, mustFail) in [(png, png.count - 1), (jpg, firstScan)] {
            var failures = 0, cuts = 0
            for cut in stride(from: 1, to: mustFail, by: max(1, data.count / 60)) {
                cuts += 1
                do { _ = try render(Array(data[0 ..< cut])) } catch { failures += 1 }
            }
            #expect(cuts > 5 && failures == cuts, "\(failures) of \(cuts) cuts failed")
            for cut in stride(from: mustFail, to: data.count - 1, by: max(1, data.count / 60)) {
                _ = try? render(Array(data[0 ..< cut]))
            }
        }
        // Every PNG prefix short of IEND fails (libpng insists on complete data).
        for cut in [8, 20, 33, 50, png.count - 13] {
            #expect(throws: ImageError.self) { try render(Array(png[0 ..< cut])) }
        }
        #expect(throws: ImageError.self) { try render(Array(jpg[0 ..< 20])) }
        var flipped = png
        flipped[40] ^= 0xFF
        #expect(throws: ImageError.self) { try render(flipped) }
        #expect(throws: ImageError.unsupported(.unknown)) { try render(Array("plain text".utf8)) }
        #expect(throws: ImageError.unsupported(.gif)) { try render(Array("GIF89a......".utf8)) }
    }

    @Test func aDecompressionBombIsRefusedBeforeAllocating() throws {
        // Declares 100000 x 100000 (10^10 pixels, which wraps 32-bit arithmetic) with one tiny row.
        let bomb = PNGWriter.encode(width: 1, height: 1, colorType: 2, bitDepth: 8, rows: [[0, 0, 0]],
                                    declaredWidth: 100_000, declaredHeight: 100_000)
        #expect(throws: ImageError.tooManyPixels(width: 100_000, height: 100_000, limit: PreviewOptions.defaultMaxPixels)) {
            try render(bomb)
        }
        let info = try bomb.withUnsafeBytes { try Preview.inspect($0) }
        #expect(info.width == 100_000 && info.height == 100_000)
        let small = PNGWriter.rgb(width: 20, height: 20) { _, _ in (1, 2, 3) }
        #expect(throws: ImageError.tooManyPixels(width: 20, height: 20, limit: 399)) {
            try render(small, PreviewOptions(maxPixels: 399))
        }
        // A JPEG whose frame header declares 65000 x 65000.
        var jpg = jpeg(width: 16, height: 16) { _, _ in (9, 9, 9) }
        if let sof = (0 ..< jpg.count - 9).first(where: { jpg[$0] == 0xFF && jpg[$0 + 1] == 0xC0 }) {
            jpg[sof + 5] = 0xFD; jpg[sof + 6] = 0xE8; jpg[sof + 7] = 0xFD; jpg[sof + 8] = 0xE8
        }
        #expect(throws: ImageError.tooManyPixels(width: 65000, height: 65000, limit: PreviewOptions.defaultMaxPixels)) {
            try render(jpg)
        }
    }

    @Test func cancellationStopsTheDecode() throws {
        let png = PNGWriter.rgb(width: 50, height: 50) { _, _ in (1, 1, 1) }
        #expect(throws: ImageError.decodeFailed(format: .png, message: "cancelled")) {
            try png.withUnsafeBytes { try Preview.render($0, options: PreviewOptions(), cancelled: { true }) }
        }
    }

    @Test func formatsAreRecognisedByTheirLeadingBytes() {
        #expect(ImageFormat.detect([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) == .png)
        #expect(ImageFormat.detect([0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat.detect(Array("%PDF-1.7".utf8)) == .pdf)
        #expect(ImageFormat.detect([0x7F, 0x45, 0x4C, 0x46, 2]) == .elf)
        #expect(ImageFormat.detect([]) == .unknown)
    }
}

func jpegScaledSizeForTests(_ w: Int, _ h: Int, _ c: Int, _ r: Int) -> (Int, Int) {
    Preview.jpegScaledSize(width: w, height: h, minWidth: c, minHeight: r)
}
