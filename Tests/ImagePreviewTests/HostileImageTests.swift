import CTurboJPEG
import Glibc
import ImagePreview
import Testing
import TestSupport

/// Hostile images, made here, decoded by `blob-reader preview` in a child process under a
/// CPU and an address-space limit (prlimit): a clean refusal or success, never a signal.
@Suite(.enabled(if: access("/usr/bin/prlimit", X_OK) == 0))
struct HostileImageTests {
    static let reader = Fixtures.productsDirectory + "/blob-reader"

    static func cases() -> [(String, [UInt8])] {
        let pixel: (Int, Int) -> (UInt8, UInt8, UInt8) = { x, y in (UInt8(x & 255), UInt8((x ^ y) & 255), UInt8(y & 255)) }
        // 10000 x 10000 16-bit RGBA, Adam7: the whole image would have to be held.
        let interlaced = PNGWriter.encode(width: 1, height: 1, colorType: 6, bitDepth: 16, rows: [[UInt8](repeating: 0, count: 8)],
                                          declaredWidth: 10000, declaredHeight: 10000, interlaced: true)
        // One progressive scan repeated 600 times.
        let base = jpeg(width: 256, height: 256, flags: Int32(TJFLAG_PROGRESSIVE), pixel)
        let sos = (0 ..< base.count - 1).last { base[$0] == 0xFF && base[$0 + 1] == 0xDA }!
        var scans = Array(base[..<(base.count - 2)])
        for _ in 0 ..< 600 { scans += base[sos ..< base.count - 2] }
        scans += [0xFF, 0xD9]
        // A large progressive JPEG: decodes within the budget, or is refused, within the limits.
        let large = jpeg(width: 3000, height: 3000, flags: Int32(TJFLAG_PROGRESSIVE), pixel)
        // Data after the last row of a PNG (never inflated).
        var trailing = PNGWriter.rgb(width: 1, height: 1) { _, _ in (1, 2, 3) }
        trailing.removeLast(12)  // IEND
        trailing += PNGWriter.encode(width: 1, height: 1, colorType: 2, bitDepth: 8, rows: [[UInt8](repeating: 7, count: 3_000_000)])
            .dropFirst(8 + 25)  // another IDAT (3 MB of stored data) and IEND, after the image
        return [("interlaced-giant.png", interlaced), ("600-scans.jpg", scans), ("large-progressive.jpg", large),
                ("trailing-idat.png", trailing)]
    }

    @Test(arguments: cases().map(\.0))
    func decodesOrRefusesWithinLimits(name: String) throws {
        let bytes = try #require(Self.cases().first { $0.0 == name }?.1)
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        Fixtures.write(bytes, to: dir + "/" + name)
        let r = Spawn.run("/usr/bin/prlimit", ["--cpu=30", "--as=\(2 << 30)", Self.reader, "preview", dir + "/" + name],
                          seconds: 60)
        #expect(r.status < 128, "killed by signal \(r.status - 128): \(r.err)")
        #expect(r.status == 0 || (r.err.hasPrefix("Error: ") && r.err.filter { $0 == "\n" }.count == 1), "\(r.err)")
    }

    /// A progressive JPEG of 16x16 tiles of colour: its AC scans are a few bytes (end-of-band
    /// runs) yet each makes libjpeg visit every block.
    static func tiles(_ size: Int, quality: Int32) -> [UInt8] {
        let rgb = rgbImage(width: size, height: size) { x, y in
            let tx = x / 16, ty = y / 16
            return (UInt8((tx * 3 + ty) & 255), UInt8((tx + ty * 2) & 255), UInt8(128 + (tx ^ ty) & 31))
        }
        return jpeg(rgb: rgb, width: size, height: size, quality: quality, flags: Int32(TJFLAG_PROGRESSIVE))
    }

    /// Scan bombs: one scan of a 2048x2048 progressive JPEG repeated 1000 times, with
    /// whether a preview refuses it. Read to the 500-scan limit, as before buffered-image
    /// decoding, they cost 0.7 s (the DC copies) to 1.9 s of CPU in a release build, and
    /// the debug build these tests run was killed by the limit below on each.
    static let bombs: [String: (bytes: [UInt8], refused: Bool)] = {
        let fine = tiles(2048, quality: 90), coarse = tiles(2048, quality: 50)
        let last = scanRanges(fine).count
        return [
            // After the image's last scan: never read, as a preview needs only the first.
            "last-scan-1000-times.jpg": (repeatingScan(fine, scan: last, copies: 1000), false),
            // Right after the first (DC) scan, which is all an 80x24 preview needs.
            "first-scan-1000-times.jpg": (repeatingScan(fine, scan: 1, copies: 1000), false),
            // Quality 50: the preview needs DC's last bit (scan 7), so the copies before it
            // are read until the many-scans CPU limit (0.5 s) refuses the image.
            "scan-6-1000-times-quality-50.jpg": (repeatingScan(coarse, scan: 6, copies: 1000), true),
            "first-scan-1000-times-quality-50.jpg": (repeatingScan(coarse, scan: 1, copies: 1000), true),
        ]
    }()

    /// Each bomb through `blob-reader preview` at 80x24 under a 1-second CPU limit: a
    /// preview or a one-line refusal, never SIGXCPU.
    @Test(arguments: bombs.keys.sorted())
    func aScanBombCostsLessThanASecond(name: String) throws {
        let bomb = try #require(Self.bombs[name])
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        Fixtures.write(bomb.bytes, to: dir + "/" + name)
        let r = Spawn.run("/usr/bin/prlimit", ["--cpu=1", "--as=\(2 << 30)", Self.reader, "preview", dir + "/" + name,
                                               "--size", "80x24"], seconds: 60)
        #expect(r.status < 128, "killed by signal \(r.status - 128): \(r.err)")
        if bomb.refused {
            #expect(r.status != 0 && r.err.hasPrefix("Error: ") && r.err.filter { $0 == "\n" }.count == 1, "\(r.err)")
            #expect(r.err.contains("decompression bomb"), "\(r.err)")
        } else {
            #expect(r.status == 0 && r.err.isEmpty && !r.out.isEmpty, "\(r.status): \(r.err)")
        }
    }
}
