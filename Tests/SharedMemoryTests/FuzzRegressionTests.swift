import BlobCodec
import Glibc
import Hashing
import SharedMemory
import Testing
import TestSupport

/// Replays what the fuzzers keep (seeds and any finding, `Tests/Fixtures/fuzz/TARGET`)
/// with the same checks as the harnesses in `Fuzz/`.
@Suite struct FuzzRegressionTests {
    static func inputs(_ target: String) -> [String] {
        let dir = Fixtures.packageRoot + "/Tests/Fixtures/fuzz/" + target
        let names = Fixtures.listing(dir).sorted().map { dir + "/" + $0 }
        return names.isEmpty ? ["(no inputs in \(dir))"] : names
    }

    @Test(arguments: inputs("frame"))
    func frameInputsDecodeOrAreRefused(path: String) throws {
        let bytes = try #require(Fixtures.read(path), "\(path)")
        if let frame = try? BlobCodec.decode(bytes) {
            #expect((try? BlobCodec.encode(frame)) == bytes)
        }
    }

    @Test(arguments: inputs("segment"))
    func segmentInputsOpenAndReadInBoundsOrAreRefused(path: String) throws {
        let bytes = try #require(Fixtures.read(path), "\(path)")
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        let copy = dir + "/segment"
        Fixtures.write(bytes, to: copy)
        chmod(copy, 0o600)
        guard let segment = try? BlobSegment.open(.file(copy), mode: .openExisting) else { return }
        _ = try? segment.info()
        // A view handed out lies inside the segment and has the checksum its header states
        // (withVerifiedView promises both; a fuzzed header must not talk it out of either).
        if let viewed = try? segment.withVerifiedView({ metadata, view in
            view.count <= segment.capacity && XXH3.hash(view) == metadata.checksum
        }) {
            #expect(viewed.result)
        }
        let buffer = PayloadBuffer()
        if let metadata = try? segment.read(into: buffer) {
            #expect(buffer.count == metadata.length && metadata.length <= segment.capacity)
        }
    }
}
