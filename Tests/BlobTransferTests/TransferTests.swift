import BlobTransfer
import Glibc
import Testing
import TestSupport

/// The services as a library: a file published and received whole with its label, and
/// the reader's verdict on the file on disk (identical; changed since the publish; removed).
@Suite struct TransferTests {
    @Test func aPublishedFileIsReceivedWholeAndJudgedAgainstTheDisk() throws {
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        let name = Fixtures.uniqueSegmentName("bt")
        defer { Fixtures.removeSegment(name) }
        let backing = SegmentBacking.sharedMemory(try SegmentName(name))
        let path = dir + "/data.bin"
        let bytes = Fixtures.bytes(count: 70_000, seed: 7)
        Fixtures.write(bytes, to: path)
        let receipt = try Publisher.publish(file: path, to: backing)
        #expect(receipt.path == path)
        let received = try Receiver.receive(from: backing)
        #expect(received.path == path && received.content == bytes && received.metadata.sequence == 1)
        func verdict() throws -> DiskComparison? {
            guard case let .file(_, comparison) = try Receiver.readForDisplay(from: backing) else { return nil }
            return comparison
        }
        #expect(try verdict() == .identical)
        // Rewritten after the publish (its time a minute on): changed since it was published.
        Fixtures.write(Fixtures.bytes(count: 70_000, seed: 8), to: path)
        var times = [timespec(tv_sec: time(nil) + 60, tv_nsec: 0), timespec(tv_sec: time(nil) + 60, tv_nsec: 0)]
        try #require(utimensat(AT_FDCWD, path, &times, 0) == 0)
        #expect(try verdict() == .changedSincePublished)
        unlink(path)
        #expect(try verdict() == .removedSincePublished)
    }
}
