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
        #expect(text.err == "Error: cannot compare pixels: the received blob is text, not a PNG or JPEG\n", "\(text.err)")
        // Which side: an image received, text on disk.
        #expect(s.put(asset("sunset.png")).status == 0)
        let side = compare(s, [s.path("b.txt")])
        #expect(side.status == 69 && side.err == "Error: cannot compare pixels: the file on disk '\(s.path("b.txt"))' is text, not a PNG or JPEG\n", "\(side.err)")
        Fixtures.write([0, 1, 2, 0xFF], to: s.path("c.bin"))
        let two = Spawn.run(CLI.reader, ["compare", asset("sunset.png"), s.path("c.bin")])
        #expect(two.status == 69 && two.err == "Error: cannot compare pixels: the file '\(s.path("c.bin"))' is binary data, not a PNG or JPEG\n", "\(two.err)")
        let missing = compare(s, [s.path("none.png")])
        #expect(missing.status == 74, "\(missing.err)")
        let nothing = Spawn.run(CLI.reader, ["compare", "--segment", Fixtures.uniqueSegmentName("none")])
        #expect(nothing.status == 66)
    }

    /// A label naming a FIFO (or a device) is inspected, never opened: the FIFO's
    /// blocked writer stays blocked (opening it for reading would release it).
    @Test(.timeLimit(.minutes(1)))
    func aLabelNamingAFifoIsNeverOpened() throws {
        let s = Scratch("cmp-fifo")
        let pic = s.path("pic.png")
        Fixtures.write(PNGWriter.rgb(width: 4, height: 4) { _, _ in (9, 9, 9) }, to: pic)
        #expect(s.put(pic).status == 0)
        unlink(pic)
        #expect(mkfifo(pic, 0o600) == 0)
        let writer = Spawn.start("/bin/sh", ["-c", "echo released > '\(pic)'"])
        let r = compare(s)
        #expect(r.out.contains("not a regular file") || r.err.contains("not a regular file"), "\(r.status) \(r.out) \(r.err)")
        // Still blocked in its open: our own reader releases it now, and gets its line.
        let mine = open(pic, O_RDONLY | O_CLOEXEC)
        try #require(mine >= 0)
        defer { close(mine) }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = read(mine, &buffer, buffer.count)
        #expect(n > 0 && String(decoding: buffer[0 ..< max(n, 0)], as: UTF8.self) == "released\n")
        #expect(writer.finish(seconds: 10).status == 0)
    }

    /// What the argument parser quotes back (an unknown option, a bad value) is escaped
    /// like every other untrusted text: no ESC, OSC 52, C1 or bidi control reaches the terminal.
    @Test(arguments: [["--x\u{1b}]52;c;aGk=\u{07}"], ["get\u{1b}[31m"], ["get", "--after", "1\u{9b}2"],
                      ["put", "f", "--capacity", "9\u{202e}Z"], ["get", "--layout", "\u{1b}]0;t\u{07}"]])
    func argumentErrorsAreEscaped(arguments: [String]) {
        let r = Spawn.run(CLI.reader, arguments)
        let w = Spawn.run(CLI.writer, arguments)
        for result in [r, w] {
            #expect(result.status == 64, "\(arguments): \(result.status) \(result.err)")
            #expect(!result.err.unicodeScalars.contains { $0.value == 0x1b || $0.value == 0x07 || $0.value == 0x9b || $0.value == 0x202e },
                    "\(arguments): \(result.err.debugDescription)")
            #expect(result.err.hasPrefix("Error: "))
        }
    }
}
