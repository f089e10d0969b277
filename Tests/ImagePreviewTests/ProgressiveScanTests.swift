import CImage
import CTurboJPEG
import ImagePreview
import Testing
import TestSupport

/// Encodes packed RGB with TurboJPEG, without the per-pixel closure of `jpeg(...)`,
/// for images of millions of pixels.
func jpeg(rgb: [UInt8], width: Int, height: Int, quality: Int32, subsampling: TJSAMP = TJSAMP_420, flags: Int32 = 0) -> [UInt8] {
    let tj = tjInitCompress()
    defer { tjDestroy(tj) }
    var out: UnsafeMutablePointer<UInt8>?
    var size: UInt = 0
    let rc = tjCompress2(tj, rgb, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), &out, &size,
                         Int32(subsampling.rawValue), quality, flags)
    precondition(rc == 0)
    defer { tjFree(out) }
    return Array(UnsafeBufferPointer(start: out, count: Int(size)))
}

/// Packed RGB of `width` x `height`, `pixel(x, y)` each.
func rgbImage(width: Int, height: Int, _ pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8] {
    [UInt8](unsafeUninitializedCapacity: width * height * 3) { buffer, count in
        var i = 0
        for y in 0 ..< height {
            for x in 0 ..< width {
                let p = pixel(x, y)
                buffer[i] = p.0; buffer[i + 1] = p.1; buffer[i + 2] = p.2
                i += 3
            }
        }
        count = i
    }
}

/// Where each scan of a JPEG lies: from its SOS marker to the next marker (restart
/// markers and stuffed bytes are part of the scan).
func scanRanges(_ jpeg: [UInt8]) -> [Range<Int>] {
    var ranges = [Range<Int>]()
    var i = 2
    while i + 3 < jpeg.count {
        guard jpeg[i] == 0xFF else { i += 1; continue }
        let marker = jpeg[i + 1]
        if marker == 0xDA {
            var end = i + 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
            while end + 1 < jpeg.count {
                let next = jpeg[end + 1]
                if jpeg[end] == 0xFF && next != 0x00 && next != 0xFF && !(0xD0 ... 0xD7).contains(next) { break }
                end += 1
            }
            ranges.append(i ..< end)
            i = end
        } else if marker == 0xD9 {
            break
        } else {
            i += 2 + (Int(jpeg[i + 2]) << 8 | Int(jpeg[i + 3]))
        }
    }
    return ranges
}

/// `jpeg` with its `scan`-th scan (from 1) repeated `copies` more times right after itself,
/// where the Huffman tables it was coded with are still the current ones.
func repeatingScan(_ jpeg: [UInt8], scan: Int, copies: Int) -> [UInt8] {
    let range = scanRanges(jpeg)[scan - 1]
    var out = Array(jpeg[..<range.upperBound])
    out.reserveCapacity(jpeg.count + copies * range.count)
    for _ in 0 ..< copies { out += jpeg[range] }
    out += jpeg[range.upperBound...]
    return out
}

/// What `cimage_jpeg_decode` produced: RGB rows in order, and how many scans it read.
struct DecodedJPEG {
    var rgb: [UInt8] = []
    var width = 0
    var height = 0
    var scans = 0
}

/// Decodes through the previews' decoder, at the smallest DCT scale that keeps at least
/// `minWidth` x `minHeight` pixels.
func decodeJPEG(_ bytes: [UInt8], minWidth: Int, minHeight: Int) throws -> DecodedJPEG {
    final class Rows { var rgb = [UInt8]() }
    let rows = Rows()
    let append: cimage_row_fn = { ctx, _, row, channels, _, _, count in
        let rows = Unmanaged<Rows>.fromOpaque(ctx!).takeUnretainedValue()
        rows.rgb.append(contentsOf: UnsafeBufferPointer(start: row, count: Int(count) * Int(channels)))
        return 0
    }
    var info = cimage_info()
    var err = [CChar](repeating: 0, count: 256)
    var w: UInt32 = 0, h: UInt32 = 0
    let rc = withExtendedLifetime(rows) {
        cimage_jpeg_decode(bytes, bytes.count, 100_000_000, 1 << 30, UInt32(minWidth), UInt32(minHeight), append, nil,
                           Unmanaged.passUnretained(rows).toOpaque(), &info, &w, &h, &err, err.count)
    }
    let message = String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    try #require(rc == 0, "\(message)")
    return DecodedJPEG(rgb: rows.rgb, width: Int(w), height: Int(h), scans: Int(info.jpeg_scans))
}

/// TurboJPEG's own decode (tjDecompress2, accurate DCT) at 1/`denominator`.
func turboDecode(_ bytes: [UInt8], denominator: Int) throws -> [UInt8] {
    let tj = tjInitDecompress()
    defer { tjDestroy(tj) }
    var w: Int32 = 0, h: Int32 = 0, sub: Int32 = 0, cs: Int32 = 0
    try #require(tjDecompressHeader3(tj, bytes, UInt(bytes.count), &w, &h, &sub, &cs) == 0)
    let sw = (Int(w) + denominator - 1) / denominator, sh = (Int(h) + denominator - 1) / denominator
    var out = [UInt8](repeating: 0, count: sw * sh * 3)
    let rc = tjDecompress2(tj, bytes, UInt(bytes.count), &out, Int32(sw), 0, Int32(sh), Int32(TJPF_RGB.rawValue),
                           Int32(TJFLAG_ACCURATEDCT))
    try #require(rc == 0)
    return out
}

/// Mean and largest difference of two previews' cell colours (each channel of both halves).
func colourDifference(_ a: CellGrid, _ b: CellGrid) -> (mean: Double, max: Int) {
    var sum = 0, worst = 0, n = 0
    for y in 0 ..< a.height {
        for x in 0 ..< a.width {
            let pairs = [(a[x, y].foreground, b[x, y].foreground), (a[x, y].background, b[x, y].background)]
            for case let (u?, v?) in pairs {
                for (p, q) in [(u.r, v.r), (u.g, v.g), (u.b, v.b)] {
                    let d = abs(Int(p) - Int(q))
                    sum += d
                    worst = max(worst, d)
                    n += 1
                }
            }
        }
    }
    return (Double(sum) / Double(max(n, 1)), worst)
}

/// Progressive JPEGs read only the scans a preview uses (libjpeg's buffered-image mode): a
/// preview stops early and still looks like the finished image; a full-size decode reads
/// them all and is TurboJPEG's.
@Suite struct ProgressiveScanTests {
    /// Gradients with hard colour edges (rectangles and a corner), where blurred or
    /// misplaced blocks would show.
    static func picture(width: Int, height: Int) -> [UInt8] {
        rgbImage(width: width, height: height) { x, y in
            let edge = (x / 96 + y / 64) % 3 == 0 || x + y < width / 4
            let r = 40 + 160 * x / width, g = 60 + 150 * y / height, b = 200 - 120 * (x + y) / (width + height)
            return edge ? (UInt8(255 - r), UInt8(30), UInt8(255 - b)) : (UInt8(r), UInt8(g), UInt8(b))
        }
    }

    /// Gradients only.
    static func smooth(width: Int, height: Int) -> [UInt8] {
        rgbImage(width: width, height: height) { x, y in
            (UInt8(40 + 160 * x / width), UInt8(60 + 150 * y / height), UInt8(200 - 120 * (x + y) / (width + height)))
        }
    }

    static let width = 1024, height = 768
    static let pixels = picture(width: width, height: height)
    static let progressive = jpeg(rgb: pixels, width: width, height: height, quality: 90, flags: Int32(TJFLAG_PROGRESSIVE))

    /// A progressive JPEG is called progressive (PNG's Adam7 keeps "interlaced"); a
    /// baseline one has no pass note.
    @Test func aProgressiveJPEGIsCalledProgressiveNotInterlaced() throws {
        let progressive = try Self.progressive.withUnsafeBytes { try Preview.inspect($0) }
        #expect(progressive.passes == "progressive")
        #expect(progressive.summary.hasSuffix(", progressive"), "\(progressive.summary)")
        let baseline = jpeg(rgb: Self.smooth(width: 64, height: 48), width: 64, height: 48, quality: 90)
        let plain = try baseline.withUnsafeBytes { try Preview.inspect($0) }
        #expect(plain.passes == nil && !plain.summary.contains("interlaced"), "\(plain.summary)")
    }

    @Test func aPreviewReadsFewerScansThanTheFileHasAndAFullDecodeReadsThemAll() throws {
        let scans = scanRanges(Self.progressive).count
        #expect(scans == 10)  // TurboJPEG's (libjpeg's) script for YCbCr
        // What an 80x24 character preview asks the decoder for.
        let (w, h) = PreviewOptions().gridSize(width: Self.width, height: Self.height)
        let preview = try decodeJPEG(Self.progressive, minWidth: w, minHeight: h)
        #expect(preview.width == 128 && preview.height == 96)  // 1/8
        // DC quantizers of 3 at quality 90: the first scan (DC less its last bit) is enough,
        // chroma's 64x48 blocks included.
        #expect(preview.scans == 1)
        // A preview finer than chroma's blocks needs chroma's AC coefficients, final in
        // scan 9 (Cb); luma's last refinement (scan 10) is still left unread.
        let finer = try decodeJPEG(Self.progressive, minWidth: 100, minHeight: 60)
        #expect(finer.width == 128 && finer.scans == 9)
        // 1/4 reads nearly every coefficient of every block: it waits for all of them.
        let quarter = try decodeJPEG(Self.progressive, minWidth: Self.width / 4, minHeight: Self.height / 4)
        #expect(quarter.width == Self.width / 4 && quarter.scans == scans)
        let full = try decodeJPEG(Self.progressive, minWidth: Self.width, minHeight: Self.height)
        #expect(full.width == Self.width && full.scans == scans)
    }

    /// At quality 50 the chroma DC quantizer is 17: one missing bit could be worth more than
    /// 2 levels, so the decode waits for the DC refinement (scan 7 of 10). Not subsampled,
    /// every component's IDCT at 1/8 reads DC alone: the preview is then TurboJPEG's own
    /// 1/8 decode, exactly.
    @Test func aCoarseDCWaitsForItsLastBit() throws {
        let coarse = jpeg(rgb: Self.pixels, width: Self.width, height: Self.height, quality: 50, subsampling: TJSAMP_444,
                          flags: Int32(TJFLAG_PROGRESSIVE))
        let preview = try decodeJPEG(coarse, minWidth: 64, minHeight: 24)
        #expect(preview.scans == 7)
        #expect(preview.rgb == (try turboDecode(coarse, denominator: 8)))
    }

    /// A smooth picture's early 1/8 decode against a baseline copy of the same pixels at 1/8
    /// (the same quantized coefficients): only DC's last bit and chroma's AC are missing.
    @Test func anEarlyDecodeOfASmoothPictureIsNearlyTheBaselineOne() throws {
        let pixels = Self.smooth(width: Self.width, height: Self.height)
        let progressive = jpeg(rgb: pixels, width: Self.width, height: Self.height, quality: 90, flags: Int32(TJFLAG_PROGRESSIVE))
        let baseline = jpeg(rgb: pixels, width: Self.width, height: Self.height, quality: 90)
        let early = try decodeJPEG(progressive, minWidth: 64, minHeight: 24)
        let finished = try decodeJPEG(baseline, minWidth: 64, minHeight: 24)
        try #require(early.scans == 1 && early.rgb.count == finished.rgb.count)
        var sum = 0, worst = 0
        for (a, b) in zip(early.rgb, finished.rgb) {
            sum += abs(Int(a) - Int(b))
            worst = max(worst, abs(Int(a) - Int(b)))
        }
        let mean = Double(sum) / Double(early.rgb.count)
        #expect(mean < 1, "mean absolute difference \(mean)")
        #expect(worst <= 6, "largest difference \(worst)")
    }

    /// The previews themselves, hard edges included: an 80x24 truecolor preview of the
    /// early decode against the baseline copy's. libjpeg's block smoothing, left on, would
    /// blur DC across the edges (about 5 levels on average, 44 at worst, measured).
    @Test func anEarlyPreviewLooksLikeTheFinishedOne() throws {
        let baseline = jpeg(rgb: Self.pixels, width: Self.width, height: Self.height, quality: 90)
        let options = PreviewOptions(mode: .blocks, color: .truecolor)
        let early = try render(Self.progressive, options).1, finished = try render(baseline, options).1
        let d = colourDifference(early, finished)
        #expect(d.mean < 1, "mean difference \(d.mean)")
        #expect(d.max <= 20, "largest difference \(d.max)")
    }

    /// A full-size decode of a progressive image is still TurboJPEG's, pixel for pixel.
    @Test func aFullSizeDecodeIsTurboJPEGs() throws {
        let full = try decodeJPEG(Self.progressive, minWidth: Self.width, minHeight: Self.height)
        #expect(full.rgb == (try turboDecode(Self.progressive, denominator: 1)))
    }
}
