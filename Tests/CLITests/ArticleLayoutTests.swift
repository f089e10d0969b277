import Glibc
import Testing
import TestSupport

/// `--layout article`: the source article's segment (frame or TestData at offset 0 of an
/// exactly 10,485,760-byte mapping), through the real executables.
@Suite struct ArticleLayoutTests {
    static let capacity = 10 * 1024 * 1024
    let article = ["--layout", "article"]

    func segmentBytes(_ s: Scratch) throws -> [UInt8] { try #require(Fixtures.read("/dev/shm/" + s.segment)) }

    @Test func aFileRoundTripsAtOffsetZeroOfAnExactMapping() throws {
        let s = Scratch("art")
        let put = s.put(asset("sunset.png"), article)
        #expect(put.status == 0, "\(put.err)")
        #expect(put.out.hasPrefix("published at offset 0 (article layout, no sequence): 1199 bytes\n"))
        let raw = try segmentBytes(s)
        #expect(raw.count == Self.capacity)
        // Exactly the article's frame: Int32 LE path length, path, Int32 LE length, content.
        let path = Array(asset("sunset.png").utf8)
        let original = try #require(Fixtures.read(asset("sunset.png")))
        let le = { (v: Int) in (0 ..< 4).map { UInt8((v >> (8 * $0)) & 0xFF) } }
        let frame = le(path.count) + path + le(original.count) + original
        #expect(Array(raw[0 ..< frame.count]) == frame)
        #expect(raw[frame.count...].allSatisfy { $0 == 0 })
        let got = s.get(article + ["--out", s.path("out.png")])
        #expect(got.status == 0, "\(got.err)")
        #expect(Fixtures.read(s.path("out.png")) == original)
        #expect(got.err.contains("path: \(asset("sunset.png"))") && !got.err.contains("sequence"))
        let info = Spawn.run(CLI.reader, ["info", "--segment", s.segment] + article)
        #expect(info.out.contains("layout: article\ncapacity: 10485760\n"))
        #expect(info.out.contains("kind: image-data") && info.out.contains("content_length: 1199"))
    }

    @Test func aShorterFrameIgnoresThePreviousFramesTail() throws {
        let s = Scratch("art")
        #expect(s.put(asset("sunset.jpg"), article).status == 0)  // 3165 bytes
        #expect(s.put(asset("sunset.png"), article).status == 0)  // 1199: the JPEG's tail stays behind it
        let raw = try segmentBytes(s)
        #expect(raw[(8 + asset("sunset.png").utf8.count + 1199)...].contains { $0 != 0 }, "no stale tail to ignore")
        #expect(s.get(article + ["--out", s.path("out")]).status == 0)
        #expect(Fixtures.read(s.path("out")) == Fixtures.read(asset("sunset.png")))
    }

    @Test func testDataRoundTripsAsTheArticleLaysItOut() throws {
        let s = Scratch("art")
        let put = Spawn.run(CLI.writer, ["put-struct", "--id", "7", "--segment", s.segment] + article)
        #expect(put.out == "published at offset 0 (article layout): TestData Id=7,Age=20,Scores=60,61,62,63,64,65,66,67,68,69\n")
        let raw = try segmentBytes(s)
        #expect(Array(raw[0 ..< 12]) == [7, 0, 0, 0, 20, 0, 0, 0, 60, 0, 0, 0])
        let get = Spawn.run(CLI.reader, ["get-struct", "--segment", s.segment] + article)
        #expect(get.out == "Id=7,Age=20,Scores=60,61,62,63,64,65,66,67,68,69\n")
        // `get` does not mistake the record for a frame.
        let asFile = s.get(article + ["--out", s.path("x")])
        #expect(asFile.status == 65, "\(asFile.err)")
        #expect(asFile.err.contains("read it with get-struct --layout article"), "\(asFile.err)")
        #expect(!Fixtures.listing(s.dir).contains("x"))
    }

    @Test func lengthsBeyondTheCapacityAreRefusedCleanly() throws {
        let s = Scratch("art")
        #expect(s.put(asset("sunset.png"), article).status == 0)
        // A content length that runs past the mapping (the article would read out of bounds).
        let fd = open("/dev/shm/" + s.segment, O_RDWR)
        defer { close(fd) }
        let pathLength = asset("sunset.png").utf8.count
        var huge: Int32 = Int32(Self.capacity)
        _ = pwrite(fd, &huge, 4, off_t(4 + pathLength))
        let got = s.get(article + ["--out", s.path("x")])
        #expect(got.status == 65)
        #expect(got.err.hasPrefix("Error: offset 0 holds no ImageData frame (content length 10485760 at offset"))
        #expect(got.err.split(separator: "\n").count == 1)
        var negative: Int32 = -5
        _ = pwrite(fd, &negative, 4, 0)
        #expect(s.get(article + ["--out", s.path("x")]).err.contains("negative path length -5 at offset 0"))
    }

    @Test func anotherSizeIsNotTheArticlesLayout() throws {
        let s = Scratch("art")
        Fixtures.write([UInt8](repeating: 0, count: 1024), to: "/dev/shm/" + s.segment)
        chmod("/dev/shm/" + s.segment, 0o600)
        let put = s.put(asset("sunset.png"), article + ["--capacity", "10485760"])
        #expect(put.status == 64, "\(put.err)")
        #expect(put.err.contains("holds 1 KiB per blob"), "\(put.err)")
        // Without --capacity the segment's own size is used: 1024 bytes is too small for the frame.
        let small = s.put(asset("sunset.png"), article)
        #expect(small.status == 67, "\(small.err)")
        #expect(Fixtures.read("/dev/shm/" + s.segment) == [UInt8](repeating: 0, count: 1024))  // untouched
        // An empty (zero-filled) one holds nothing yet.
        let get = s.get(article)
        #expect(get.status == 66 && get.err.contains("holds no blob yet"), "\(get.err)")
    }

    @Test func ourLayoutSaysHowToReadTheArticles() throws {
        let s = Scratch("art")
        #expect(s.put(asset("sunset.png"), article).status == 0)
        let get = s.get(["--out", s.path("x")])
        #expect(get.status == 65)
        #expect(get.err.contains("--layout article"), "\(get.err)")
    }

    /// A write that lands between a reader's two reads of the frame is detected: the
    /// first copy is discarded and the frame read again (the result is the new frame,
    /// never the copy made while it changed).
    @Test func aWriteBetweenTheTwoReadsIsDetected() throws {
        let s = Scratch("art")
        let a = PNGWriter.rgb(width: 30, height: 20) { x, y in (UInt8(x), UInt8(y), 9) }
        let b = PNGWriter.rgb(width: 20, height: 10) { x, y in (7, UInt8(x), UInt8(y)) }
        Fixtures.write(a, to: s.path("a.png"))
        Fixtures.write(b, to: s.path("b.png"))
        #expect(s.put(s.path("a.png"), article).status == 0)
        let reader = Spawn.start(CLI.reader, ["get", "--segment", s.segment, "--out", s.path("got")] + article,
                                 environment: ["SHAREDBLOB_TEST_STOP_BETWEEN_READS": "1"])
        #expect(reader.waitStopped(), "the reader did not stop between its reads")
        #expect(s.put(s.path("b.png"), article).status == 0)
        reader.signal(SIGCONT)
        let done = reader.finish()
        #expect(done.status == 0, "\(done.err)")
        #expect(Fixtures.read(s.path("got")) == b)
    }

    /// A writer that lands each frame in 64 KiB pieces with 2 ms pauses (how a stream
    /// write arrives) and lets each finished frame rest: every read returns one whole
    /// frame or says the writer kept moving (70), never a mix of two — and says it is not
    /// verified.
    @Test(.timeLimit(.minutes(3)))
    func aSlowStreamWriterNeverYieldsATornFrame() throws {
        let s = Scratch("art-slow")
        let file = s.path("map")
        Fixtures.write([UInt8](repeating: 0, count: 10 * 1024 * 1024), to: file)
        let size = 1 << 20
        let contents = [Fixtures.bytes(count: size, seed: 1), Fixtures.bytes(count: size, seed: 2)]
        let writer = Spawn.start(CLI.helper, ["slow-article-writer", "--file", file, "--size", String(size), "--seconds", "60"])
        defer { writer.signal(SIGKILL); _ = writer.finish(seconds: 10) }
        try #require(writer.waitForOutput("ready"))
        var whole = 0, busy = 0, torn = 0
        for i in 0 ..< 30 {
            let out = s.path("got\(i)")
            let r = Spawn.run(CLI.reader, ["get", "--file", file, "--layout", "article", "--out", out])
            if r.status == 70 { busy += 1; continue }
            #expect(r.status == 0, "\(r.err)")
            #expect(r.err.contains("verified: no (the article layout has no checksum; the frame stayed the same for 50 ms"),
                    "\(r.err)")
            let got = Fixtures.read(out)
            if got == contents[0] || got == contents[1] { whole += 1 } else { torn += 1 }
            unlink(out)
        }
        print("slow stream writer, 30 reads: \(whole) whole, \(busy) busy, \(torn) torn")
        #expect(torn == 0)
        #expect(whole > 0, "no read found a frame at rest")
    }
}
