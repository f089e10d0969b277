import Glibc
import Hashing
import SharedMemory
import Testing
import TestSupport

/// A fresh segment name, removed when the test ends.
final class ScratchSegment {
    let name: String
    let backing: SegmentBacking
    init(_ tag: String = "seg") {
        name = Fixtures.uniqueSegmentName(tag)
        backing = .sharedMemory(try! SegmentName(name))
    }
    deinit { Fixtures.removeSegment(name) }
    var devShmPath: String { "/dev/shm/" + name }
}

@Suite struct SegmentTests {
    @Test(arguments: ["", "a/b", "/lead", String(repeating: "x", count: 251), ".", "..", "sp ace", "tab\t", "ü"])
    func invalidNamesAreRefusedNamingTheRule(name: String) {
        #expect {
            try SegmentName(name)
        } throws: { error in
            guard case let .invalidName(_, rule)? = error as? SharedMemoryError else { return false }
            return rule.contains("names are 1 to 250 characters")
        }
    }

    @Test(arguments: ["a", "shared-blob", "x.y_z-1", String(repeating: "n", count: 250)])
    func validNames(name: String) throws {
        #expect(try SegmentName(name).rawValue == name)
    }

    @Test func openModes() throws {
        let s = ScratchSegment()
        #expect(throws: SharedMemoryError.notFound(s.backing)) { try BlobSegment.open(s.backing, mode: .openExisting) }
        #expect((try SharedMemoryError.notFound(.sharedMemory(SegmentName("X")))).description
            == "segment 'X' does not exist")
        let created = try BlobSegment.open(s.backing, mode: .createNew, capacity: 5000)
        #expect(created.created && created.capacity == 5000)
        #expect(throws: SharedMemoryError.alreadyExists(s.backing)) { try BlobSegment.open(s.backing, mode: .createNew) }
        let reopened = try BlobSegment.open(s.backing, mode: .createOrOpen, capacity: 9999)
        #expect(!reopened.created && reopened.capacity == 5000)  // capacity applies at creation only
        let existing = try BlobSegment.open(s.backing, mode: .openExisting)
        #expect(existing.capacity == 5000)
        try BlobSegment.remove(s.backing)
        #expect(!BlobSegment.exists(s.backing))
    }

    @Test func defaultCapacityIsTenMiBAndPagesAreReserved() throws {
        let s = ScratchSegment()
        let seg = try BlobSegment.open(s.backing, mode: .createNew)
        #expect(seg.capacity == 10_485_760)
        var st = stat()
        #expect(stat(s.devShmPath, &st) == 0)
        #expect(Int(st.st_size) == seg.totalSize)
        #expect(Int(st.st_blocks) * 512 >= seg.totalSize)  // posix_fallocate reserved every page
        #expect(st.st_mode & 0o777 == 0o600)
    }

    @Test func permissionsAre0600EvenWithAPermissiveUmask() throws {
        let old = umask(0)
        defer { umask(old) }
        let s = ScratchSegment()
        _ = try BlobSegment.open(s.backing, mode: .createNew, capacity: 64)
        var st = stat()
        #expect(stat(s.devShmPath, &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        _ = try BlobSegment.open(.file(dir + "/seg"), mode: .createNew, capacity: 64)
        #expect(stat(dir + "/seg", &st) == 0)
        #expect(st.st_mode & 0o777 == 0o600)
    }

    @Test(arguments: [0, 1, 4096, 70_000])
    func roundTripsExactBytes(size: Int) throws {
        let s = ScratchSegment()
        let seg = try BlobSegment.open(s.backing, mode: .createNew, capacity: 70_000 + 64)
        #expect(try seg.readLatest() == nil)
        let content = Fixtures.bytes(count: size, seed: UInt64(size))
        let receipt = try content.withUnsafeBytes { try seg.publishFrame(path: "/p/\(size)", content: $0) }
        #expect(receipt.sequence == 1)
        let other = try BlobSegment.open(s.backing, mode: .openExisting)
        let (meta, payload) = try #require(try other.readLatest())
        #expect(meta.sequence == 1 && meta.kind == .imageData && meta.writerPID == getpid())
        let expected = try BlobCodecShim.encode(path: "/p/\(size)", content: content)
        #expect(payload == expected)
        #expect(meta.checksum == expected.withUnsafeBytes { XXH3.hash($0) })
    }

    @Test func fileBackedSegmentSurvivesClosing() throws {
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        let backing = SegmentBacking.file(dir + "/blob.seg")
        do {
            let seg = try BlobSegment.open(backing, mode: .createOrOpen, capacity: 4096)
            _ = try ([1, 2, 3] as [UInt8]).withUnsafeBytes { try seg.publishFrame(path: "/x", content: $0) }
        }
        let again = try BlobSegment.open(backing, mode: .openExisting)
        let (_, payload) = try #require(try again.readLatest())
        #expect(payload == [2, 0, 0, 0, 0x2F, 0x78, 3, 0, 0, 0, 1, 2, 3])
        try BlobSegment.remove(backing)
        #expect(access(dir + "/blob.seg", F_OK) != 0)
    }

    @Test func foreignObjectsAreRefusedAndNeverOverwrittenWithoutForce() throws {
        let s = ScratchSegment()
        let junk = [UInt8](repeating: 0x41, count: 8192)
        Fixtures.write(junk, to: s.devShmPath)
        for mode in [BlobSegment.OpenMode.openExisting, .createOrOpen] {
            #expect {
                try BlobSegment.open(s.backing, mode: mode)
            } throws: { error in
                guard case let .foreign(_, reason)? = error as? SharedMemoryError else { return false }
                return reason == "wrong magic number"
            }
        }
        #expect(Fixtures.read(s.devShmPath) == junk)
        #expect(throws: SharedMemoryError.self) { try BlobSegment.remove(s.backing) }
        #expect(Fixtures.read(s.devShmPath) == junk)
        let forced = try BlobSegment.open(s.backing, mode: .createOrOpen, capacity: 128, force: true)
        #expect(forced.created && forced.capacity == 128)
        #expect(try forced.readLatest() == nil)
    }

    @Test func tinyAndWrongSizedObjectsAreForeign() throws {
        let s = ScratchSegment()
        Fixtures.write([1, 2, 3], to: s.devShmPath)
        #expect(throws: SharedMemoryError.self) { try BlobSegment.open(s.backing, mode: .openExisting) }
        Fixtures.removeSegment(s.name)
        _ = try BlobSegment.open(s.backing, mode: .createNew, capacity: 100)
        #expect(truncate(s.devShmPath, 4096 + 4096 + 100) == 0)  // shorter than the header says
        #expect {
            try BlobSegment.open(s.backing, mode: .openExisting)
        } throws: { error in
            guard case let .foreign(_, reason)? = error as? SharedMemoryError else { return false }
            return reason.contains("does not match the header")
        }
    }

    @Test func headerPointingOutsideTheMappingIsAnErrorNotACrash() throws {
        let s = ScratchSegment()
        let seg = try BlobSegment.open(s.backing, mode: .createNew, capacity: 256)
        _ = try ([5, 6] as [UInt8]).withUnsafeBytes { try seg.publishFrame(path: "/a", content: $0) }
        let slot1 = 48 + 64  // sequence 1 lives in slot 1
        let cases: [(Int, UInt64)] = [
            (slot1 + 16, 1 << 40),  // length beyond everything
            (slot1 + 16, 257),  // length beyond capacity
            (slot1 + 8, UInt64.max - 4),  // offset that overflows
            (slot1 + 8, 100),  // offset inside the header
        ]
        for (fieldOffset, value) in cases {
            let fd = open(s.devShmPath, O_RDWR)
            var original: UInt64 = 0
            pread(fd, &original, 8, off_t(fieldOffset))
            var v = value
            pwrite(fd, &v, 8, off_t(fieldOffset))
            #expect {
                try BlobSegment.open(s.backing, mode: .openExisting).readLatest()
            } throws: { error in
                guard case .corrupt? = error as? SharedMemoryError else { return false }
                return true
            }
            pwrite(fd, &original, 8, off_t(fieldOffset))
            close(fd)
        }
        #expect(try seg.readLatest()?.payload.count == 12)
    }

    @Test func flippedPayloadByteFailsTheChecksum() throws {
        let s = ScratchSegment()
        let seg = try BlobSegment.open(s.backing, mode: .createNew, capacity: 256)
        _ = try ([5, 6] as [UInt8]).withUnsafeBytes { try seg.publishFrame(path: "/a", content: $0) }
        let fd = open(s.devShmPath, O_RDWR)
        defer { close(fd) }
        var byte: UInt8 = 0xEE
        pwrite(fd, &byte, 1, off_t(4096 + 4096 + 8))  // slot 1, inside the content
        #expect {
            try seg.readLatest()
        } throws: { error in
            guard case .checksumMismatch(sequence: 1, _, _)? = error as? SharedMemoryError else { return false }
            return true
        }
    }

    @Test func waitTimesOutWhenNothingIsPublished() throws {
        let s = ScratchSegment()
        let seg = try BlobSegment.open(s.backing, mode: .createNew, capacity: 64)
        let t0 = now()
        #expect(throws: SharedMemoryError.timedOut(after: 0)) { try seg.waitForPublish(after: 0, timeout: .milliseconds(80)) }
        let elapsed = now() - t0
        #expect(elapsed >= 0.079 && elapsed < 5)
    }

    @Test func waitReturnsAtOnceWhenANewerBlobExists() throws {
        let s = ScratchSegment()
        let seg = try BlobSegment.open(s.backing, mode: .createNew, capacity: 64)
        _ = try ([1] as [UInt8]).withUnsafeBytes { try seg.publishFrame(path: "", content: $0) }
        #expect(try seg.waitForPublish(after: 0, timeout: .zero) == 1)
    }

    @Test func waitWakesOnAPublishFromAnotherThread() async throws {
        let s = ScratchSegment()
        let seg = try BlobSegment.open(s.backing, mode: .createNew, capacity: 64)
        let waiter = Task.detached { try seg.waitForPublish(after: 0, timeout: .seconds(20)) }
        let writer = try BlobSegment.open(s.backing, mode: .openExisting)
        _ = try ([1] as [UInt8]).withUnsafeBytes { try writer.publishFrame(path: "", content: $0) }
        #expect(try await waiter.value == 1)
    }

    @Test func theInfoReadsMetadataWithoutCopying() throws {
        let s = ScratchSegment()
        let seg = try BlobSegment.open(s.backing, mode: .createNew, capacity: 100_000)
        let empty = try seg.info()
        #expect(empty.publishedSequence == 0 && empty.latest == nil)
        #expect(try seg.peekLatest(maxBytes: 10) { $1.count } == nil)
        let content = [UInt8](repeating: 3, count: 50_000)
        _ = try content.withUnsafeBytes { try seg.publishFrame(path: "/i", content: $0) }
        let info = try seg.info()
        #expect(info.latest?.length == 50_010)
        let peeked = try #require(try seg.peekLatest(maxBytes: BlobSegment.peekLength) { $1.count })
        #expect(peeked.0 == info.latest && peeked.1 == BlobSegment.peekLength)
        #expect(info.capacity == 100_000 && info.version == 2 && info.headerSize == 256)
    }
}

/// BlobCodec's encoder, under a name that keeps the test file's imports short.
enum BlobCodecShim {
    static func encode(path: String, content: [UInt8]) throws -> [UInt8] {
        var out = [UInt8]()
        let p = Array(path.utf8)
        withUnsafeBytes(of: UInt32(p.count).littleEndian) { out += $0 }
        out += p
        withUnsafeBytes(of: UInt32(content.count).littleEndian) { out += $0 }
        return out + content
    }
}

@Suite struct InProcessConcurrencyTests {
    /// Threads sharing one segment object publish one at a time (flock alone would let
    /// them all in: it belongs to the shared open file description).
    @Test func threadsSharingOneSegmentNeverTearABlob() async throws {
        let s = ScratchSegment("threads")
        let seg = try BlobSegment.open(s.backing, mode: .createNew, capacity: 300_000)
        let blobs = (0 ..< 4).map { Fixtures.bytes(count: 100_000 + $0 * 50_000, seed: UInt64($0)) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0 ..< 4 {
                group.addTask {
                    for _ in 0 ..< 50 {
                        _ = try blobs[i].withUnsafeBytes { try seg.publishFrame(path: "/t/\(i)", content: $0) }
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(seg.publishedSequence == 200)
        let (meta, payload) = try #require(try seg.readLatest())
        #expect(meta.sequence == 200)
        let i = Int(payload[7]) - 48  // the digit after "/t/"
        #expect(Array(payload.suffix(blobs[i].count)) == blobs[i])
    }
}
