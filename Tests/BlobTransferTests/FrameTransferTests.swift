import BlobTransfer
import Glibc
import SharedMemory
import Testing
import TestSupport

/// BlobTransfer over the engine (moved from SharedMemoryTests, which now need only the
/// engine): frames that do not fit, delivery from the mapping, a shrunk mapping.
@Suite struct FrameTransferTests {
    @Test func exactlyCapacityFitsAndOneMoreIsRefusedKeepingThePrevious() throws {
        let name = Fixtures.uniqueSegmentName("seg")
        defer { Fixtures.removeSegment(name) }
        let backing = SegmentBacking.sharedMemory(try SegmentName(name))
        let capacity = 1000
        let seg = try BlobSegment.open(backing, mode: .createNew, capacity: capacity)
        let fits = [UInt8](repeating: 7, count: capacity - 8 - 2)
        _ = try fits.withUnsafeBytes { try seg.publishFrame(path: "/f", content: $0) }
        let tooBig = [UInt8](repeating: 9, count: capacity - 8 - 2 + 1)
        #expect(throws: TransferError.frameTooLarge(length: capacity + 1, capacity: capacity)) {
            _ = try tooBig.withUnsafeBytes { try seg.publishFrame(path: "/f", content: $0) }
        }
        // The engine's own check, for payloads of any kind.
        #expect(throws: SharedMemoryError.tooLarge(length: capacity + 1, capacity: capacity)) {
            _ = try tooBig.withUnsafeBytes { raw in try seg.publish(kind: .imageData, parts: [raw, UnsafeRawBufferPointer(rebasing: raw[0 ..< 10])]) }
        }
        let (meta, payload) = try #require(try seg.readLatest())
        #expect(meta.sequence == 1 && payload.count == capacity && payload.last == 7)
    }

    /// `get --out`'s path: the content goes from the mapping to the file, verified.
    @Test func deliverWritesFromTheMapping() throws {
        let name = Fixtures.uniqueSegmentName("zc3")
        defer { Fixtures.removeSegment(name) }
        let backing = SegmentBacking.sharedMemory(try SegmentName(name))
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        let content = Fixtures.bytes(count: 3_000_000, seed: 7)
        Fixtures.write(content, to: dir + "/in.bin")
        let published = try Publisher.publish(file: dir + "/in.bin", to: backing)
        let output = try Files.AtomicOutput(dir + "/out.bin")
        let delivered = try Receiver.deliver(from: backing) { view in
            Result { () throws(TransferError) in try output.replaceContent(with: view) }
        }
        try output.commit()
        #expect(delivered.zeroCopy && delivered.contentLength == content.count)
        #expect(delivered.sha256 == published.sha256 && delivered.path == dir + "/in.bin")
        #expect(Fixtures.read(dir + "/out.bin") == content)
    }
}

/// A segment file truncated while mapped (by its owner, or a group member it is shared
/// with) is an error for readers and writers, never a SIGBUS.
@Suite struct ShrinkingMappingTests {
    @Test func readViewAndPublishOnAShrunkFileAreErrors() throws {
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        let path = dir + "/seg"
        let writer = try BlobSegment.open(.file(path), mode: .createNew, capacity: 4 << 20)
        let content = Fixtures.bytes(count: 3 << 20, seed: 11)
        _ = try content.withUnsafeBytes { try writer.publishFrame(path: "/big", content: $0) }
        let reader = try BlobSegment.open(.file(path), mode: .openExisting)
        #expect(truncate(path, 4096) == 0)  // the header stays, the payload pages are gone
        #expect(throws: SharedMemoryError.shrunk(.file(path))) { try reader.read(into: PayloadBuffer()) }
        #expect(throws: SharedMemoryError.shrunk(.file(path))) { try reader.withVerifiedView { $1.count } }
        #expect(throws: SharedMemoryError.shrunk(.file(path))) { try reader.peekLatest(maxBytes: 64) { $1.count } }
        #expect(throws: TransferError.segment(.shrunk(.file(path)))) {
            try content.withUnsafeBytes { try writer.publishFrame(path: "/again", content: $0) }
        }
        // Elsewhere in the process, SIGBUS handling is as it was: the guard only answers its own calls.
        #expect(reader.publishedSequence == 1)
    }
}
