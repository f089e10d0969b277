import Hashing
import Testing

/// SHA-256 and XXH3-64 give the published test vectors, in one call and streamed.
@Suite struct HashingTests {
    @Test func sha256MatchesTheStandardVectors() {
        #expect(SHA256.hex([UInt8]()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test func xxh3MatchesTheReferenceAndStreamsTheSame() {
        #expect([UInt8]().withUnsafeBytes { XXH3.hash($0) } == 0x2D06_8005_38D3_94C2)
        let bytes = (0 ..< 100_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let whole = bytes.withUnsafeBytes { XXH3.hash($0) }
        var hasher = XXH3.Hasher()
        bytes.withUnsafeBytes { raw in
            var at = 0
            for size in [1, 7, 4096, 12345] where at < raw.count {
                let end = min(raw.count, at + size)
                hasher.update(UnsafeRawBufferPointer(rebasing: raw[at ..< end]))
                at = end
            }
            hasher.update(UnsafeRawBufferPointer(rebasing: raw[at...]))
        }
        #expect(hasher.finalize() == whole)
    }
}
