import Glibc
import SharedMemory
import Testing
import TestSupport

@Suite(.serialized) struct CrashSafetyTests {
    /// A writer SIGKILLed in the middle of copying a large blob, 60 times at offsets
    /// spread over the payload: the reader always gets the last complete blob, intact.
    @Test(.timeLimit(.minutes(5)))
    func writerKilledMidPublishLeavesThePreviousBlob() throws {
        let s = Scratch("kill")
        let big = s.path("big")
        let size = 6 * 1024 * 1024
        Fixtures.write(Fixtures.bytes(count: size, seed: 99), to: big)
        var rng = SplitMix64(seed: 7)
        for round in 0 ..< 60 {
            // A complete publish whose content is the round number.
            let small = s.path("r\(round)")
            let expected = Fixtures.bytes(count: 1000 + round, seed: UInt64(round))
            Fixtures.write(expected, to: small)
            #expect(s.put(small).status == 0)
            // A writer that stops itself mid-copy, then is killed.
            let stopAt = Int.random(in: 1 ..< size, using: &rng)
            let writer = Spawn.start(CLI.writer, ["put", big, "--segment", s.segment],
                                     environment: ["SHAREDBLOB_TEST_STOP_AT": String(stopAt)])
            let stopped = writer.waitStopped()
            #expect(stopped, "round \(round): writer did not reach the stop point")
            // While it is frozen mid-copy, and after it is dead, the previous blob is what a reader gets.
            try expectLatest(s, equals: expected, path: small, round: round)
            writer.signal(SIGKILL)
            #expect(writer.finish().status == 128 + SIGKILL)
            try expectLatest(s, equals: expected, path: small, round: round)
        }
        // The segment still takes new publishes after all those deaths.
        #expect(s.put(big).status == 0)
        try expectLatest(s, equals: try #require(Fixtures.read(big)), path: big, round: 60)
    }

    /// Writers killed at arbitrary moments (no stop hook): whatever a reader gets is
    /// checksum-valid and is one of the two candidate blobs.
    @Test(.timeLimit(.minutes(5)))
    func writersKilledAtRandomMomentsNeverTearTheBlob() throws {
        let s = Scratch("killr")
        let a = s.path("a"), b = s.path("b")
        let contentA = Fixtures.bytes(count: 3 * 1024 * 1024, seed: 1)
        let contentB = Fixtures.bytes(count: 4 * 1024 * 1024, seed: 2)
        Fixtures.write(contentA, to: a)
        Fixtures.write(contentB, to: b)
        #expect(s.put(a).status == 0)
        var rng = SplitMix64(seed: 11)
        for round in 0 ..< 20 {
            let writer = Spawn.start(CLI.writer, ["put", round % 2 == 0 ? b : a, "--segment", s.segment])
            // Let it run for a random moment, then kill it wherever it is.
            var pfd = pollfd(fd: -1, events: 0, revents: 0)
            _ = poll(&pfd, 0, Int32.random(in: 0 ... 40, using: &rng))
            writer.signal(SIGKILL)
            _ = writer.finish()
            let seg = try BlobSegment.open(.sharedMemory(try SegmentName(s.segment)), mode: .openExisting)
            let (_, payload) = try #require(try seg.readLatest())
            let isA = payload.suffix(contentA.count).elementsEqual(contentA) && payload.count == contentA.count + 8 + a.utf8.count
            let isB = payload.suffix(contentB.count).elementsEqual(contentB) && payload.count == contentB.count + 8 + b.utf8.count
            #expect(isA || isB, "round \(round): torn blob of \(payload.count) bytes")
        }
    }

    private func expectLatest(_ s: Scratch, equals expected: [UInt8], path: String, round: Int) throws {
        let out = s.path("out")
        let get = s.get(["--out", out])
        #expect(get.status == 0, "round \(round): \(get.err)")
        #expect(get.err.hasPrefix("path: \(path)\n"), "round \(round): \(get.err)")
        #expect(Fixtures.read(out) == expected, "round \(round): content differs")
    }
}

@Suite struct ConcurrencyTests {
    /// Two writer processes publish 300 blobs each while this process reads as fast as
    /// it can: every read is exactly one of the blobs written.
    @Test(.timeLimit(.minutes(5)))
    func twoWritersAndAReader() throws {
        let s = Scratch("race")
        let backing = SegmentBacking.sharedMemory(try SegmentName(s.segment))
        let seg = try BlobSegment.open(backing, mode: .createNew, capacity: 512 * 1024)
        let writers = (1 ... 2).map { id in
            Spawn.start(CLI.helper, ["stress-writer", "--segment", s.segment, "--writer-id", String(id), "--count", "300"])
        }
        let buffer = PayloadBuffer()
        var reads = 0, distinct = 0, last: UInt64 = 0
        while seg.publishedSequence < 600 {
            guard let meta = try seg.read(into: buffer) else { continue }
            reads += 1
            if meta.sequence != last { distinct += 1; last = meta.sequence }
            try checkStressBlob(buffer.bytes)
            if reads > 5_000_000 { break }
        }
        for w in writers { #expect(w.finish().status == 0) }
        #expect(seg.publishedSequence == 600)
        try #require(try seg.read(into: buffer) != nil)
        try checkStressBlob(buffer.bytes)
        #expect(distinct >= 2)
    }

    private func checkStressBlob(_ bytes: UnsafeRawBufferPointer) throws {
        let pathLength = Int(bytes.loadUnaligned(fromByteOffset: 0, as: Int32.self))
        let path = String(decoding: bytes[4 ..< 4 + pathLength], as: UTF8.self)
        let parts = path.split(separator: "/")
        let writer = try #require(UInt64(parts[1])), index = try #require(UInt64(parts[2]))
        let seed = writer << 32 | index
        let size = Int(seed &* 0x9E37_79B9 % UInt64(256 * 1024 + 1))
        let contentLength = Int(bytes.loadUnaligned(fromByteOffset: 4 + pathLength, as: Int32.self))
        #expect(contentLength == size)
        let expected = Fixtures.bytes(count: size, seed: seed)
        #expect(bytes[(8 + pathLength)...].elementsEqual(expected), "blob \(path) differs")
    }
}

@Suite struct CHeaderTests {
    /// A C program compiled against blob_segment.h reads what Swift published.
    @Test func cProgramReadsABlobSwiftPublished() throws {
        let s = Scratch("c")
        let exe = s.path("c_reader")
        let cc = Spawn.run("/usr/bin/cc", ["-std=c11", "-Wall", "-Werror", "-O1",
                                           "-I", Fixtures.packageRoot + "/Sources/CBlobSegment/include",
                                           Fixtures.packageRoot + "/Examples/c_reader.c", "-o", exe, "-lxxhash"])
        #expect(cc.status == 0, "\(cc.err)")
        #expect(s.put(asset("sunset.png")).status == 0)
        let r = Spawn.run(exe, [s.segment])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.stdout == Fixtures.read(asset("sunset.png")))
        #expect(r.err.hasPrefix("path=\(asset("sunset.png")) seq=1 pid="))
    }
}
