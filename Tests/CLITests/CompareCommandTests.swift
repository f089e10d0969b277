import Glibc
import Testing
import TestSupport

/// `blob-reader compare [FILE]`: verdicts, exit statuses and JSON, through the executable.
@Suite struct CompareCommandTests {
    func compare(_ s: Scratch, _ extra: [String] = []) -> Spawn.Result {
        Spawn.run(CLI.reader, ["compare", "--segment", s.segment] + extra)
    }

    @Test func identicalBytesThenAChangedPixelThenOtherDimensions() throws {
        let s = Scratch("cmp")
        let original = PNGWriter.rgb(width: 20, height: 10) { x, y in (UInt8(x * 10), UInt8(y * 20), 50) }
        Fixtures.write(original, to: s.path("pic.png"))
        #expect(s.put(s.path("pic.png")).status == 0)
        let same = compare(s)
        #expect(same.status == 0, "\(same.err)")
        #expect(same.out.hasSuffix("verdict:  identical bytes (\(original.count) B)\n"))
        // The file on disk changes by one pixel: exit 1, counted.
        Fixtures.write(PNGWriter.rgb(width: 20, height: 10) { x, y in x == 3 && y == 4 ? (0, 0, 0) : (UInt8(x * 10), UInt8(y * 20), 50) },
                       to: s.path("pic.png"))
        let one = compare(s)
        #expect(one.status == 1, "\(one.err)")
        #expect(one.out.contains("verdict:  different pixels: 1 of 200 differ, largest channel difference 80/255, PSNR "), "\(one.out)")
        let json = compare(s, ["--json"])
        #expect(json.status == 1)
        #expect(json.out.hasPrefix("{\"verdict\":\"different-pixels\",\"same_picture\":false,"))
        #expect(json.out.contains("\"pixels\":200,\"differing_pixels\":1,\"max_channel_difference\":80,\"depth_max\":255,\"psnr_db\":"))
        // Another file named on the command line.
        Fixtures.write(PNGWriter.rgb(width: 21, height: 10) { _, _ in (1, 1, 1) }, to: s.path("other.png"))
        let dims = compare(s, [s.path("other.png")])
        #expect(dims.status == 1)
        #expect(dims.out.contains("verdict:  different dimensions: 20x10 received, 21x10 on disk"))
    }

    @Test func aReencodedCopyIsTheSamePicture() throws {
        let s = Scratch("cmp")
        let plain = try #require(Fixtures.read(Fixtures.packageRoot + "/Tests/Fixtures/pngsuite/basn2c08.png"))
        Fixtures.write(plain, to: s.path("p.png"))
        #expect(s.put(Fixtures.packageRoot + "/Tests/Fixtures/pngsuite/basi2c08.png").status == 0)
        let r = compare(s, [s.path("p.png")])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("same pixels, different bytes (re-encoded: "), "\(r.out)")
    }

    @Test func whatCannotBeComparedSaysWhy() throws {
        let s = Scratch("cmp")
        Fixtures.write(Array("just text\n".utf8), to: s.path("a.txt"))
        Fixtures.write(Array("other text\n".utf8), to: s.path("b.txt"))
        #expect(s.put(s.path("a.txt")).status == 0)
        let text = compare(s, [s.path("b.txt")])
        #expect(text.status == 69)
        #expect(text.err == "Error: cannot compare pixels: unknown content: no preview\n")
        let missing = compare(s, [s.path("none.png")])
        #expect(missing.status == 74, "\(missing.err)")
        let nothing = Spawn.run(CLI.reader, ["compare", "--segment", Fixtures.uniqueSegmentName("none")])
        #expect(nothing.status == 66)
    }
}
