import ArgumentParser
import BlobCodec
import BlobTransfer
import Glibc
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


/// Publishes one large frame (label `big/SEED`, content `Fixtures.bytes(count: size,
/// seed: seed)`) through the copying publish readers can follow; with
/// `SHAREDBLOB_TEST_STOP_AT` it stops itself partway, for the crash tests.
struct BigWriter: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "big-writer", abstract: "Publish one large checkable frame.")

    @Option var segment: String
    @Option var size: Int = 4 << 20
    @Option var seed: UInt64 = 1

    func run() throws {
        let seg = try BlobSegment.open(.sharedMemory(try SegmentName(segment)), mode: .openExisting)
        let content = Fixtures.bytes(count: size, seed: seed)
        _ = try content.withUnsafeBytes { try seg.publishFrame(path: "big/\(seed)", content: $0) }
    }
}

/// Writes into an article-layout file the way a stream writer lands a frame: in 64 KiB
/// pieces with a pause after each, alternating between two frames (labels `/slow/A` and
/// `/slow/B`, contents `Fixtures.bytes(count: size, seed: 1 or 2)`), for `seconds`.
/// Starts by landing frame A whole, prints "ready", then keeps overwriting. Any read that
/// returns other content than A's or B's is a torn frame.
struct SlowArticleWriter: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "slow-article-writer",
                                                    abstract: "Land article frames in pieces, with pauses.")

    @Option var file: String
    @Option var size: Int = 1 << 20
    @Option var pauseMicroseconds: UInt32 = 2000
    @Option var seconds: Double = 20
    @Option var framePauseMilliseconds: UInt32 = 200

    func run() throws {
        let segment = try ArticleSegment.open(.file(file), mode: .openExisting, capacity: nil)
        let frames = try [1, 2].map { i in
            try BlobCodec.encode(path: i == 1 ? "/slow/A" : "/slow/B", content: Fixtures.bytes(count: size, seed: UInt64(i)))
        }
        try frames[0].withUnsafeBytes { try segment.write([$0]) }
        print("ready")
        fflush(nil)
        let end = now() + seconds
        var which = 1
        while now() < end {
            try frames[which].withUnsafeBytes { frame in
                var at = 0
                while at < frame.count {
                    let n = min(64 << 10, frame.count - at)
                    try segment.write(at: at, UnsafeRawBufferPointer(rebasing: frame[at ..< at + n]))
                    at += n
                    usleep(pauseMicroseconds)
                }
            }
            which = 1 - which
            usleep(framePauseMilliseconds * 1000)  // a finished frame rests: readers may take it
        }
    }
}
