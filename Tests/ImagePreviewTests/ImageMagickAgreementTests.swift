import Glibc
import ImagePreview
import Testing
import TestSupport

/// `compare` counts and measures as ImageMagick does: the differing-pixel count equals
/// `compare -metric AE -fuzz 0`, and PSNR is within 0.01 dB of `compare -metric PSNR`,
/// on generated pairs (known changes, 8- and 16-bit, grey) and on PngSuite's images
/// (each interlaced twin, and pairs of different pictures of one size).
@Suite(.serialized) struct ImageMagickAgreementTests {
    static let magick = "/usr/bin/compare"

    /// What ImageMagick reports for `metric` on two files (it prints to stderr).
    static func magick(_ metric: String, _ a: String, _ b: String) throws -> Double? {
        try #require(access(magick, X_OK) == 0, "ImageMagick's compare is missing (the README's test set-up installs imagemagick)")
        let r = Spawn.run(magick, ["-metric", metric, "-fuzz", "0", a, b, "null:"])
        // Exit 0: same, 1: different; 2 is an error.
        try #require(r.status == 0 || r.status == 1, "compare \(metric): \(r.err)")
        let text = r.err.split(separator: " ").first.map(String.init) ?? ""
        return text == "inf" ? nil : Double(text)
    }

    /// A seeded picture and a copy with `changes` pixels changed in one channel each, by small
    /// and large amounts.
    static func pair(seed: UInt64, width: Int, height: Int, changes: Int) -> ([UInt8], [UInt8], Int) {
        var rng = SplitMix64(seed: seed)
        var base = [UInt8](repeating: 0, count: width * height * 3)
        for i in base.indices { base[i] = UInt8(truncatingIfNeeded: rng.next()) }
        var changed = base
        var touched = Set<Int>()
        while touched.count < changes {
            let p = Int(rng.next() % UInt64(width * height))
            if touched.contains(p) { continue }  // once each: a second change could undo the first
            let c = Int(rng.next() % 3), step = [1, 2, 7, 40, 255][Int(rng.next() % 5)]
            let o = p * 3 + c
            changed[o] &+= UInt8(step)  // by 1, 2, 7, 40 or 255 (-1) modulo 256: never 0
            touched.insert(p)
        }
        func png(_ rgb: [UInt8]) -> [UInt8] {
            PNGWriter.rgb(width: width, height: height) { x, y in let o = (y * width + x) * 3; return (rgb[o], rgb[o + 1], rgb[o + 2]) }
        }
        return (png(base), png(changed), touched.count)
    }

    /// Our figures against ImageMagick's for two files.
    static func agree(_ a: String, _ b: String, expectedCount: Int? = nil) throws {
        let x = try #require(Fixtures.read(a)), y = try #require(Fixtures.read(b))
        let ours = try x.withUnsafeBytes { r in try y.withUnsafeBytes { d in try PixelCompare.compare(received: r, disk: d) } }
        let ae = try #require(try magick("AE", a, b))
        #expect(ours.differingPixels == Int(ae), "\(a) vs \(b): ours \(ours.differingPixels), ImageMagick's AE \(ae)")
        if let expectedCount { #expect(ours.differingPixels == expectedCount) }
        let psnr = try magick("PSNR", a, b)
        if ours.differingPixels == 0 {
            #expect(ours.psnr == nil && (psnr == nil || psnr == 0), "\(a) vs \(b): no difference, ImageMagick PSNR \(String(describing: psnr))")
        } else {
            let mine = try #require(ours.psnr), theirs = try #require(psnr)
            #expect(abs(mine - theirs) < 0.01, "\(a) vs \(b): PSNR ours \(mine), ImageMagick's \(theirs)")
        }
    }

    @Test(arguments: [(1, 97, 61, 1), (2, 97, 61, 40), (3, 320, 200, 5000), (4, 64, 64, 64 * 64)])
    func generatedPairsAgree(seed: Int, width: Int, height: Int, changes: Int) throws {
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        let (a, b, count) = Self.pair(seed: UInt64(seed), width: width, height: height, changes: changes)
        Fixtures.write(a, to: dir + "/a.png")
        Fixtures.write(b, to: dir + "/b.png")
        try Self.agree(dir + "/a.png", dir + "/b.png", expectedCount: count)
    }

    @Test func sixteenBitAndGreyPairsAgree() throws {
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        // 16-bit RGB: one sample off by 1/65535, one by 300/65535.
        func rgb16(_ bump: (Int, Int) -> Int) -> [UInt8] {
            var rows: [[UInt8]] = []
            for y in 0 ..< 20 {
                var row: [UInt8] = []
                for x in 0 ..< 30 {
                    for c in 0 ..< 3 {
                        let v = (x * 2000 + y * 700 + c * 9000) % 65000 + (c == 1 ? bump(x, y) : 0)
                        row += [UInt8(v >> 8), UInt8(v & 0xFF)]
                    }
                }
                rows.append(row)
            }
            return PNGWriter.encode(width: 30, height: 20, colorType: 2, bitDepth: 16, rows: rows)
        }
        Fixtures.write(rgb16 { _, _ in 0 }, to: dir + "/a16.png")
        Fixtures.write(rgb16 { x, y in x == 3 && y == 4 ? 1 : x == 20 && y == 10 ? 300 : 0 }, to: dir + "/b16.png")
        try Self.agree(dir + "/a16.png", dir + "/b16.png", expectedCount: 2)
        // 8-bit grey: a column brighter by 5.
        func grey(_ bump: Int) -> [UInt8] {
            var rows: [[UInt8]] = []
            for y in 0 ..< 25 {
                var row: [UInt8] = []
                for x in 0 ..< 40 { row.append(UInt8((x * 5 + y * 3) % 200 + (x == 7 ? bump : 0))) }
                rows.append(row)
            }
            return PNGWriter.encode(width: 40, height: 25, colorType: 0, bitDepth: 8, rows: rows)
        }
        Fixtures.write(grey(0), to: dir + "/g1.png")
        Fixtures.write(grey(5), to: dir + "/g2.png")
        try Self.agree(dir + "/g1.png", dir + "/g2.png", expectedCount: 25)
    }

    /// Every interlaced PngSuite image against its plain twin (no difference), and
    /// different opaque pictures of PngSuite's 32x32 size against each other.
    @Test func pngSuiteAgrees() throws {
        let suite = Fixtures.packageRoot + "/Tests/Fixtures/pngsuite"
        let twins = Fixtures.listing(suite).filter { $0.hasPrefix("basi") && $0.hasSuffix(".png") }.sorted()
        try #require(twins.count >= 10, "PngSuite's interlaced images are missing: \(twins)")
        for name in twins {
            try Self.agree(suite + "/" + name, suite + "/basn" + name.dropFirst(4), expectedCount: 0)
        }
        let opaque = ["basn0g08.png", "basn2c08.png", "basn2c16.png", "basn3p08.png", "basn0g16.png"]
        for (i, a) in opaque.enumerated() {
            for b in opaque[(i + 1)...] { try Self.agree(suite + "/" + a, suite + "/" + b) }
        }
    }
}
