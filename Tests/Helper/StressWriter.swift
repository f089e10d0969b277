import ArgumentParser
import BlobTransfer
import SharedMemory
import TestSupport

/// Publishes a deterministic series of blobs; the stress tests check every read
/// against the series. Blob i of writer K has path label `stress/K/i` and content
/// `Fixtures.bytes(count: size, seed: K << 32 | i)`.
struct StressWriter: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "stress-writer", abstract: "Publish a checkable series of blobs.")

    @Option var segment: String
    @Option var writerId: UInt64
    @Option var count: Int = 250
    @Option var maxSize: Int = 256 * 1024

    func run() throws {
        let seg = try BlobSegment.open(.sharedMemory(try SegmentName(segment)), mode: .openExisting)
        for i in 0 ..< UInt64(count) {
            let seed = writerId << 32 | i
            let size = Int(seed &* 0x9E37_79B9 % UInt64(maxSize + 1))
            let content = Fixtures.bytes(count: size, seed: seed)
            _ = try content.withUnsafeBytes { try seg.publishFrame(path: "stress/\(writerId)/\(i)", content: $0) }
        }
    }
}

