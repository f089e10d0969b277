import CImage
import Glibc

/// Where two images' pixels differ, at a coarse resolution the terminal can show: each
/// cell holds the largest channel difference (16-bit units) of the pixels it covers.
public struct HeatMap: Equatable, Sendable {
    /// Cells across and down: the image's shape, at most ``maxSide`` on the longer side.
    public let width: Int, height: Int
    /// Row-major largest differences, 0 where every pixel of the cell matched.
    public internal(set) var cells: [UInt16]
    /// The largest side a heat map keeps.
    public static let maxSide = 256

    /// A map of nothing differing, for an image of this size.
    public init(imageWidth: Int, imageHeight: Int) {
        // The image's shape, at most maxSide on its longer side.
        let scale = min(1, Double(Self.maxSide) / Double(max(imageWidth, imageHeight)))
        width = max(1, Int(Double(imageWidth) * scale))
        height = max(1, Int(Double(imageHeight) * scale))
        cells = [UInt16](repeating: 0, count: width * height)
    }

    /// The largest difference in the cells under an area given as fractions of the image
    /// (what a terminal cell of a box covers).
    public func maximum(x0: Double, y0: Double, x1: Double, y1: Double) -> UInt16 {
        let cx0 = min(width - 1, Int(x0 * Double(width))), cy0 = min(height - 1, Int(y0 * Double(height)))
        let cx1 = max(cx0 + 1, min(width, Int((x1 * Double(width)).rounded(.up))))
        let cy1 = max(cy0 + 1, min(height, Int((y1 * Double(height)).rounded(.up))))
        var m: UInt16 = 0
        for y in cy0 ..< cy1 { for x in cx0 ..< cx1 { m = max(m, cells[y * width + x]) } }
        return m
    }
}

/// What a pixel comparison of a received image with the file on disk found.
public struct PixelComparison: Equatable, Sendable {
    /// The verdict, most similar first.
    public enum Verdict: String, Equatable, Sendable {
        /// The bytes are the same (no decode needed).
        case identicalBytes = "identical-bytes"
        /// Different bytes, every pixel equal at full depth (a re-encode).
        case samePixels = "same-pixels"
        /// Same size; pixels differ, none by more than the threshold per channel.
        case withinThreshold = "within-threshold"
        /// Same size, some pixels differ (by more than the threshold).
        case differentPixels = "different-pixels"
        /// Not the same width and height: not compared pixel by pixel.
        case differentDimensions = "different-dimensions"
    }

    public var verdict: Verdict
    /// Both headers (nil for identical bytes that are not a PNG or JPEG: not decoded).
    public var received: ImageInfo?, disk: ImageInfo?
    /// Both byte counts.
    public var receivedBytes: Int, diskBytes: Int
    /// Pixels compared (width x height) and how many differ.
    public var pixels: Int, differingPixels: Int
    /// The largest channel difference, on the scale of ``depthMaximum``.
    public var maxDifference: Int
    /// 255 when both images are 8-bit (or less), 65535 when either is 16-bit.
    public var depthMaximum: Int
    /// Peak signal-to-noise ratio in dB, over R, G and B (and alpha when either image has
    /// transparency), as ImageMagick's `compare -metric PSNR`; nil when no pixel differs.
    public var psnr: Double?
    /// Where pixels differ (nil unless the verdict is ``Verdict/differentPixels``).
    public var heatMap: HeatMap?
    /// The per-channel tolerance, on the 8-bit scale (0: exact).
    public var threshold = 0
    /// Pixels that differ, but by at most the threshold in every channel (not counted
    /// in ``differingPixels``).
    public var withinThreshold = 0
    /// The difference as a picture (8-bit RGBA rows, when asked for and the dimensions
    /// match): unchanged pixels a faded grey of the first image, pixels within the
    /// threshold pale blue, differing ones from yellow (1/255) to magenta (255/255).
    public var differencePicture: [UInt8]?
    /// Structural similarity of the two pictures' luma (1: the same structure), the mean
    /// over 8x8 blocks of SSIM with the usual constants (C1 = 0.01², C2 = 0.03²); nil
    /// unless pixels were compared and some differ.
    public var ssim: Double?
    /// What the sentences call the two sides.
    public var names = (first: "received", second: "on disk")

    public static func == (l: PixelComparison, r: PixelComparison) -> Bool {
        l.verdict == r.verdict && l.received == r.received && l.disk == r.disk && l.receivedBytes == r.receivedBytes
            && l.diskBytes == r.diskBytes && l.pixels == r.pixels && l.differingPixels == r.differingPixels
            && l.maxDifference == r.maxDifference && l.depthMaximum == r.depthMaximum && l.psnr == r.psnr
            && l.heatMap == r.heatMap && l.threshold == r.threshold && l.withinThreshold == r.withinThreshold
            && l.differencePicture == r.differencePicture && l.names == r.names && l.ssim == r.ssim
    }

    /// Whether the two are the same picture (identical bytes, same pixels, or differences
    /// all within the threshold).
    public var isSamePicture: Bool { verdict == .identicalBytes || verdict == .samePixels || verdict == .withinThreshold }

    /// One sentence: "same pixels, different bytes (re-encoded: 160 B received, 114 B on
    /// disk)", "different pixels: 1 of 19200 differ, largest channel difference 255/255,
    /// PSNR 52.1 dB", "different dimensions: 200x150 received, 160x120 on disk".
    public var sentence: String {
        let (a, b) = (received?.format ?? .unknown, disk?.format ?? .unknown)
        let (one, two) = names
        let lossy = a != b ? " (\(a.rawValue) \(one), \(b.rawValue) \(two): a lossy re-encode)" : ""
        let db = psnr.map { "PSNR " + Self.oneDecimal($0) + " dB" } ?? ""
        let within = withinThreshold > 0 ? "; \(withinThreshold) more within the threshold (\(threshold)/255)" : ""
        switch verdict {
        case .identicalBytes:
            return "identical bytes (\(receivedBytes) B)"
        case .samePixels:
            return "same pixels, different bytes (re-encoded: \(receivedBytes) B \(one), \(diskBytes) B \(two))"
        case .withinThreshold:
            return "same within the threshold: \(withinThreshold) of \(pixels) pixels differ by at most \(threshold)/255 per channel "
                + "(largest \(maxDifference)/\(depthMaximum), \(db))\(lossy)"
        case .differentPixels:
            return "different pixels: \(differingPixels) of \(pixels) differ, largest channel difference "
                + "\(maxDifference)/\(depthMaximum), \(db)\(within)\(lossy)"
        case .differentDimensions:
            return "different dimensions: \(received?.width ?? 0)x\(received?.height ?? 0) \(one), "
                + "\(disk?.width ?? 0)x\(disk?.height ?? 0) \(two)\(lossy.isEmpty ? "" : " (\(a.rawValue) \(one), \(b.rawValue) \(two))")"
        }
    }

    static func oneDecimal(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}

/// Compares two images by their decoded pixels at full depth (16-bit RGBA: 8-bit
/// samples are widened exactly, v * 257, so an 8-bit image and its exact 16-bit copy
/// have the same pixels; alpha counts like any channel, except that two fully
/// transparent pixels are equal whatever colour they hide).
///
/// Budget, for the comparison as a whole: the first image is held decoded, 4 bytes per
/// pixel (8 when either image is 16-bit; 4 more for a difference picture, and 48 bytes per 8x8 block of SSIM
/// statistics), and what each decode needs besides (a progressive JPEG's coefficients) must fit
/// in what that leaves of `maxMemory`, checked before any decode; the second image is
/// streamed row by row against the first. Both decodes share one CPU budget
/// (`CIMAGE_MAX_CPU_SECONDS`, 10 s; a JPEG past 32 progressive scans has 0.5 s of its own)
/// and the pixel limit (``PreviewOptions/defaultMaxPixels``).
public enum PixelCompare {
    /// The default budget of a comparison's decoded image: 256 MiB (32 megapixels).
    public static let defaultMaxMemory = 256 << 20

    /// Compares `received` with `disk` (both whole files' bytes).
    ///
    /// - Throws: ``ImageError`` when either is not a PNG or JPEG, fails to decode, or is
    ///   over the pixel or memory budget.
    ///
    /// - Parameters:
    ///   - threshold: per-channel tolerance on the 8-bit scale (0-255; ImageMagick's
    ///     `-fuzz`, pixelmatch's threshold): a pixel differs only if a channel differs by
    ///     more; smaller differences are counted apart (``PixelComparison/withinThreshold``).
    ///   - differencePicture: also paint ``PixelComparison/differencePicture`` (4 more bytes
    ///     a pixel, inside `maxMemory`).
    public static func compare(received: UnsafeRawBufferPointer, disk: UnsafeRawBufferPointer,
                               maxPixels: Int = PreviewOptions.defaultMaxPixels,
                               maxMemory: Int = defaultMaxMemory, threshold: Int = 0,
                               differencePicture: Bool = false) throws(ImageError) -> PixelComparison {
        let sameBytes = received.count == disk.count && (received.isEmpty || memcmp(received.baseAddress!, disk.baseAddress!, received.count) == 0)
        if sameBytes && differencePicture, (try? Preview.inspect(received)) != nil {
            var result = try compare(received: received, disk: disk, maxPixels: maxPixels, maxMemory: maxMemory,
                                     threshold: threshold, differencePicture: true, decodeSameBytes: true)
            result.verdict = .identicalBytes
            return result
        }
        return try compare(received: received, disk: disk, maxPixels: maxPixels, maxMemory: maxMemory,
                           threshold: threshold, differencePicture: differencePicture, decodeSameBytes: false)
    }

    static func compare(received: UnsafeRawBufferPointer, disk: UnsafeRawBufferPointer, maxPixels: Int, maxMemory: Int,
                        threshold: Int, differencePicture: Bool, decodeSameBytes: Bool) throws(ImageError) -> PixelComparison {
        if !decodeSameBytes, received.count == disk.count && (received.isEmpty || memcmp(received.baseAddress!, disk.baseAddress!, received.count) == 0) {
            let info = try? Preview.inspect(received)
            return PixelComparison(verdict: .identicalBytes, received: info, disk: info, receivedBytes: received.count,
                                   diskBytes: disk.count, pixels: info.map { $0.width * $0.height } ?? 0, differingPixels: 0,
                                   maxDifference: 0, depthMaximum: (info?.bitDepth ?? 8) > 8 ? 65535 : 255, psnr: nil, heatMap: nil)
        }
        let a = try Preview.inspect(received), b = try Preview.inspect(disk)
        let deep = a.bitDepth > 8 || b.bitDepth > 8
        var result = PixelComparison(
            verdict: .samePixels, received: a, disk: b, receivedBytes: received.count, diskBytes: disk.count,
            pixels: a.width * a.height, differingPixels: 0, maxDifference: 0, depthMaximum: deep ? 65535 : 255,
            psnr: nil, heatMap: nil)
        result.threshold = max(0, min(255, threshold))
        if a.width != b.width || a.height != b.height {
            result.verdict = .differentDimensions
            result.pixels = 0
            return result
        }
        for info in [a, b] where info.width * info.height > maxPixels {
            throw .tooManyPixels(width: info.width, height: info.height, limit: maxPixels)
        }
        let blocks = ((a.width + 7) / 8) * ((a.height + 7) / 8)
        let needed = a.width * a.height * ((deep ? 8 : 4) + (differencePicture ? 4 : 0)) + blocks * 48
        if needed > maxMemory {
            throw .decodeFailed(format: a.format, message: "comparing \(a.width)x\(a.height) images needs "
                                + "\(needed >> 20) MiB, over the \(maxMemory >> 20) MiB budget")
        }
        let left = maxMemory - needed
        cimage_budget_begin()
        defer { cimage_budget_end() }
        let first = Canvas(width: a.width, height: a.height, mode: .store, deep: deep)
        try decode(received, a.format, into: first, maxPixels: maxPixels, maxBytes: left)
        // ImageMagick's rule: alpha counts only when an image has it (PSNR of opaque
        // pictures is over R, G and B, as `compare -metric PSNR` gives it).
        let channels = a.hasTransparency || b.hasTransparency ? 4 : 3
        let second = Canvas(width: a.width, height: a.height, mode: .compare(first), deep: deep)
        second.tolerance = UInt16(result.threshold * 257)
        if differencePicture { second.picture = [UInt8](repeating: 0, count: a.width * a.height * 4) }
        try decode(disk, b.format, into: second, maxPixels: maxPixels, maxBytes: left)
        result.differingPixels = second.differing
        result.withinThreshold = second.within
        result.differencePicture = differencePicture ? second.finishedPicture(first) : nil
        let scale = deep ? 1 : 257
        result.maxDifference = Int(second.maxDifference) / scale
        if second.differing > 0 || second.within > 0 { result.ssim = second.structuralSimilarity() }
        if second.differing == 0 && second.within == 0 {
            result.verdict = .samePixels
        } else if second.differing == 0 {
            result.verdict = .withinThreshold
            result.psnr = psnr(second.squaredError, pixels: a.width * a.height, channels: channels)
        } else {
            result.verdict = .differentPixels
            result.psnr = psnr(second.squaredError, pixels: a.width * a.height, channels: channels)
            result.heatMap = second.heat
        }
        return result
    }

    /// PSNR in dB of a summed squared error (16-bit units) over `pixels` x `channels` samples.
    static func psnr(_ squaredError: Double, pixels: Int, channels: Int) -> Double {
        let mse = squaredError / Double(pixels * channels) / (65535.0 * 65535.0)
        return 10 * log10(1 / mse)
    }

    /// Decodes at full depth into `canvas` (storing, or comparing with what it holds).
    static func decode(_ bytes: UnsafeRawBufferPointer, _ format: ImageFormat, into canvas: Canvas,
                       maxPixels: Int, maxBytes: Int) throws(ImageError) {
        var err = [CChar](repeating: 0, count: 256)
        var info = cimage_info()
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let ctx = Unmanaged.passUnretained(canvas).toOpaque()
        let rc: Int32 = withExtendedLifetime(canvas) {
            switch format {
            case .png:
                let deep: cimage_row_fn = { ctx, y, row, _, x0, dx, count in
                    let canvas = Unmanaged<Canvas>.fromOpaque(ctx!).takeUnretainedValue()
                    let samples = UnsafeRawPointer(row!).assumingMemoryBound(to: UInt16.self)
                    canvas.put(row: Int(y), x0: Int(x0), dx: Int(dx), count: Int(count)) { i, c in samples[i * 4 + c] }
                    return 0
                }
                return cimage_png_decode_rgba16(base, bytes.count, UInt64(maxPixels), deep, ctx, &info, &err, err.count)
            default:
                let rgb: cimage_row_fn = { ctx, y, row, _, x0, dx, count in
                    let canvas = Unmanaged<Canvas>.fromOpaque(ctx!).takeUnretainedValue()
                    let px = row!
                    canvas.put(row: Int(y), x0: Int(x0), dx: Int(dx), count: Int(count)) { i, c in
                        c == 3 ? 65535 : UInt16(px[i * 3 + c]) * 257
                    }
                    return 0
                }
                var w: UInt32 = 0, h: UInt32 = 0
                // Full size: the minimum asked for is the image itself.
                return cimage_jpeg_decode(base, bytes.count, UInt64(maxPixels), UInt64(max(0, maxBytes)),
                                          UInt32(canvas.width), UInt32(canvas.height), rgb, nil, ctx, &info,
                                          &w, &h, &err, err.count)
            }
        }
        if rc != 0 { throw .decodeFailed(format: format, message: Preview.message(err)) }
    }

    /// One decoded image (``Mode/store``), or the running comparison of a second with it.
    final class Canvas {
        enum Mode { case store, compare(Canvas) }
        let width: Int, height: Int
        let mode: Mode
        /// The stored image: 16-bit samples when either image is deeper than 8 bits, else
        /// 8-bit ones (every sample is then v * 257: kept exactly in half the memory).
        var samples: [UInt16] = []
        var samples8: [UInt8] = []
        let deep: Bool
        var differing = 0
        var maxDifference: UInt16 = 0
        var squaredError: Double = 0
        var heat: HeatMap
        /// Differences up to this (16-bit scale) count as ``within``, not ``differing``.
        var tolerance: UInt16 = 0
        var within = 0
        /// The difference picture being painted (8-bit RGBA), when asked for; a pixel
        /// no row touched stays 0 and is filled by ``finishedPicture(_:)``.
        var picture: [UInt8]?
        /// Per 8x8 block: the sums of both lumas, their squares and their product, and the
        /// pixel count (SSIM's statistics, gathered as the second image streams in).
        var blockSums: [Double] = []
        var blocksAcross = 0

        init(width: Int, height: Int, mode: Mode, deep: Bool) {
            self.width = width
            self.height = height
            self.mode = mode
            self.deep = deep
            if case .store = mode {
                if deep { samples = [UInt16](repeating: 0, count: width * height * 4) } else {
                    samples8 = [UInt8](repeating: 0, count: width * height * 4)
                }
            }
            if case .compare = mode {
                blocksAcross = (width + 7) / 8
                blockSums = [Double](repeating: 0, count: blocksAcross * ((height + 7) / 8) * 6)
            }
            heat = HeatMap(imageWidth: width, imageHeight: height)
        }

        /// Takes `count` pixels of row `y` at columns x0, x0 + dx, ...; `sample(i, c)` is
        /// channel c (RGBA) of the i-th of them, 16-bit.
        func put(row y: Int, x0: Int, dx: Int, count: Int, sample: (Int, Int) -> UInt16) {
            guard y < height else { return }
            switch mode {
            case .store:
                if deep {
                    samples.withUnsafeMutableBufferPointer { s in
                        for i in 0 ..< count {
                            let x = x0 + i * dx
                            guard x < width else { break }
                            let o = (y * width + x) * 4
                            for c in 0 ..< 4 { s[o + c] = sample(i, c) }
                        }
                    }
                } else {
                    samples8.withUnsafeMutableBufferPointer { s in
                        for i in 0 ..< count {
                            let x = x0 + i * dx
                            guard x < width else { break }
                            let o = (y * width + x) * 4
                            for c in 0 ..< 4 { s[o + c] = UInt8(truncatingIfNeeded: sample(i, c) >> 8) }
                        }
                    }
                }
            case let .compare(first):
                let hy = y * heat.height / height
                // The running figures as locals for the row (moved out of the object, so the
                // arrays stay unique and no access is checked per sample), back at the end.
                var picture = self.picture, sums = blockSums
                self.picture = nil
                blockSums = []
                var squaredError = self.squaredError, differing = self.differing, within = self.within
                var maxDifference = self.maxDifference
                let tolerance = self.tolerance, blocksAcross = self.blocksAcross
                defer {
                    self.picture = picture
                    blockSums = sums
                    (self.squaredError, self.differing, self.within, self.maxDifference) = (squaredError, differing, within, maxDifference)
                }
                func row<S: WidenedSample>(_ s: UnsafeBufferPointer<S>, _ bs: UnsafeMutableBufferPointer<Double>,
                                           _ pic: UnsafeMutableBufferPointer<UInt8>?) {
                    for i in 0 ..< count {
                        let x = x0 + i * dx
                        guard x < width else { break }
                        let o = (y * width + x) * 4
                        let lumaA = Self.luma(Double(s[o].wide), Double(s[o + 1].wide), Double(s[o + 2].wide), Double(s[o + 3].wide))
                        let lumaB = Self.luma(Double(sample(i, 0)), Double(sample(i, 1)), Double(sample(i, 2)), Double(sample(i, 3)))
                        let bk = ((y / 8) * blocksAcross + x / 8) * 6
                        bs[bk] += lumaA
                        bs[bk + 1] += lumaB
                        bs[bk + 2] += lumaA * lumaA
                        bs[bk + 3] += lumaB * lumaB
                        bs[bk + 4] += lumaA * lumaB
                        bs[bk + 5] += 1
                        if s[o + 3].wide == 0 && sample(i, 3) == 0 {  // both invisible
                            if let pic { paint(pic, o, worst: 0, first: s) }
                            continue
                        }
                        var worst: UInt16 = 0
                        for c in 0 ..< 4 {
                            let a = s[o + c].wide, b = Int(sample(i, c))
                            let d = abs(a - b)
                            if d > 0 {
                                squaredError += Double(d * d)
                                worst = max(worst, UInt16(d))
                            }
                        }
                        maxDifference = max(maxDifference, worst)
                        if worst > tolerance {
                            differing += 1
                            let h = hy * heat.width + x * heat.width / width
                            heat.cells[h] = max(heat.cells[h], worst)
                        } else if worst > 0 {
                            within += 1
                        }
                        if let pic { paint(pic, o, worst: worst, first: s) }
                    }
                }
                func against<S: WidenedSample>(_ s: UnsafeBufferPointer<S>) {
                    sums.withUnsafeMutableBufferPointer { bs in
                        if picture != nil {
                            picture!.withUnsafeMutableBufferPointer { row(s, bs, $0) }
                        } else {
                            row(s, bs, nil)
                        }
                    }
                }
                if first.deep { first.samples.withUnsafeBufferPointer { against($0) } } else {
                    first.samples8.withUnsafeBufferPointer { against($0) }
                }
            }
        }

    
        /// Luma (Rec. 709) of a 16-bit RGBA pixel, weighted by its alpha: 0 to 1.
        static func luma(_ r: Double, _ g: Double, _ b: Double, _ a: Double) -> Double {
            (0.2126 * r + 0.7152 * g + 0.0722 * b) / 65535 * (a / 65535)
        }

        /// The mean SSIM over the blocks any pixel reached.
        func structuralSimilarity() -> Double {
            let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
            var total = 0.0, count = 0
            for bk in stride(from: 0, to: blockSums.count, by: 6) where blockSums[bk + 5] > 0 {
                let n = blockSums[bk + 5]
                let mx = blockSums[bk] / n, my = blockSums[bk + 1] / n
                let vx = max(0, blockSums[bk + 2] / n - mx * mx), vy = max(0, blockSums[bk + 3] / n - my * my)
                let cov = blockSums[bk + 4] / n - mx * my
                total += ((2 * mx * my + c1) * (2 * cov + c2)) / ((mx * mx + my * my + c1) * (vx + vy + c2))
                count += 1
            }
            return count == 0 ? 1 : total / Double(count)
        }

        /// Paints pixel `o` (its sample offset; 4 samples a pixel in both) of the
        /// difference picture.
        func paint<S: WidenedSample>(_ picture: UnsafeMutableBufferPointer<UInt8>, _ o: Int, worst: UInt16,
                                     first s: UnsafeBufferPointer<S>) {
            if worst == 0 {
                // A faded grey of the first image: the shapes stay, the eye goes to colour.
                let luma = (s[o].wide * 54 + s[o + 1].wide * 183 + s[o + 2].wide * 19) >> 16
                let faded = UInt8(255 - (255 - luma) / 4)
                picture[o] = faded; picture[o + 1] = faded; picture[o + 2] = faded
            } else if worst <= tolerance {
                (picture[o], picture[o + 1], picture[o + 2]) = PixelCompare.withinColour
            } else {
                // Yellow for 1/255 to magenta for 255/255, on a log scale: the smallest
                // difference is as visible as the largest.
                let t = log(max(1, Double(worst) / 257)) / log(255.0)
                picture[o] = UInt8(255 - 55 * t)
                picture[o + 1] = UInt8(210 * (1 - t))
                picture[o + 2] = UInt8(140 * t)
            }
            picture[o + 3] = 255
        }

        /// The picture with pixels no row reached (none, for a complete decode) painted
        /// like unchanged ones.
        func finishedPicture(_ first: Canvas) -> [UInt8]? {
            guard var done = picture else { return nil }
            picture = nil
            func fill<S: WidenedSample>(_ s: UnsafeBufferPointer<S>) {
                done.withUnsafeMutableBufferPointer { pic in
                    for o in stride(from: 0, to: pic.count, by: 4) where pic[o + 3] == 0 { paint(pic, o, worst: 0, first: s) }
                }
            }
            if first.deep { first.samples.withUnsafeBufferPointer { fill($0) } } else { first.samples8.withUnsafeBufferPointer { fill($0) } }
            return done
        }
    }
}

extension PixelCompare {
    /// The pale blue of pixels within the threshold in a difference picture.
    static let withinColour: (UInt8, UInt8, UInt8) = (150, 190, 255)

    /// A difference picture (``PixelComparison/differencePicture``, `width` x `height`)
    /// made smaller for a terminal without losing a single differing pixel: each output
    /// pixel takes the most different pixel of the area it covers (magenta over yellow,
    /// either over the pale blue of "within the threshold"), and the mean of the faded
    /// grey only where nothing differs. A box filter would average one changed pixel in a
    /// 4000x3000 picture away; this keeps it, at the colour of its difference.
    public static func reduceDifference(_ picture: [UInt8], width: Int, height: Int,
                                        toWidth: Int, toHeight: Int) -> [UInt8] {
        precondition(picture.count == width * height * 4)
        let tw = max(1, min(toWidth, width)), th = max(1, min(toHeight, height))
        var out = [UInt8](repeating: 255, count: tw * th * 4)
        picture.withUnsafeBufferPointer { p in
            out.withUnsafeMutableBufferPointer { o in
                for oy in 0 ..< th {
                    let y0 = oy * height / th, y1 = max(y0 + 1, (oy + 1) * height / th)
                    for ox in 0 ..< tw {
                        let x0 = ox * width / tw, x1 = max(x0 + 1, (ox + 1) * width / tw)
                        var worst = -1, worstAt = 0, within = false, grey = 0, greys = 0
                        for y in y0 ..< y1 {
                            for x in x0 ..< x1 {
                                let s = (y * width + x) * 4
                                let r = p[s], g = p[s + 1], b = p[s + 2]
                                if r == g && g == b {
                                    grey += Int(r); greys += 1
                                } else if (r, g, b) == withinColour {
                                    within = true
                                } else if 210 - Int(g) > worst {  // green falls from yellow to magenta
                                    worst = 210 - Int(g); worstAt = s
                                }
                            }
                        }
                        let d = (oy * tw + ox) * 4
                        if worst >= 0 {
                            o[d] = p[worstAt]; o[d + 1] = p[worstAt + 1]; o[d + 2] = p[worstAt + 2]
                        } else if within {
                            (o[d], o[d + 1], o[d + 2]) = withinColour
                        } else {
                            let v = UInt8(grey / max(1, greys))
                            o[d] = v; o[d + 1] = v; o[d + 2] = v
                        }
                        o[d + 3] = 255
                    }
                }
            }
        }
        return out
    }
}

/// A stored sample read on the 16-bit scale: 16-bit ones as they are, 8-bit ones times 257
/// (exactly what widening them gave).
protocol WidenedSample { var wide: Int { get } }
extension UInt16: WidenedSample { var wide: Int { Int(self) } }
extension UInt8: WidenedSample { var wide: Int { Int(self) * 257 } }
