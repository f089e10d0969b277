import CAtomics
import Hashing
import Testing

/// The fused streaming copy and XXH3 (`catomics_guarded_stream_copy_xxh3`) that a
/// copying publish uses when readers follow: for every length around its block and
/// stripe edges and every way of cutting the input into pieces, the copy is exact and the
/// digest is the one XXH3 computes.
@Suite struct StreamHashTests {
    static let lengths = [
        241, 255, 256, 1023, 1024, 1025, 1087, 1088, 1089, 2047, 2048, 2049, 4096, 65_537,
        262_144, 262_145, 263_168, 1 << 20, (1 << 20) + 7,
    ]
    static let pieces = [1024, 4096, 262_144, Int.max]

    @Test(.enabled(if: catomics_stream_copy_xxh3_available() != 0, "this CPU has no AVX2: publishes copy, then hash"),
          arguments: pieces)
    func theFusedCopyHashesAsXXH3Does(piece: Int) throws {
        var generator = SystemRandomNumberGenerator()
        let source = (0 ..< Self.lengths.max()!).map { _ in UInt8.random(in: 0 ... 255, using: &generator) }
        let destination = UnsafeMutableRawBufferPointer.allocate(byteCount: source.count, alignment: 4096)
        defer { destination.deallocate() }
        var mismatches: [String] = []
        source.withUnsafeBytes { src in
            for length in Self.lengths {
                destination.initializeMemory(as: UInt8.self, repeating: 0)
                var state = catomics_xxh3_stream()
                catomics_stream_copy_xxh3_reset(&state)
                var offset = 0
                while offset < length {
                    let n = min(piece, length - offset)
                    if catomics_guarded_stream_copy_xxh3(&state, destination.baseAddress! + offset, src.baseAddress! + offset, n, length) != 0 {
                        mismatches.append("\(length): the guard reported a fault")
                    }
                    offset += n
                }
                let input = UnsafeRawBufferPointer(rebasing: src[..<length])
                if catomics_stream_copy_xxh3_digest(&state, src.baseAddress!, length) != XXH3.hash(input) {
                    mismatches.append("\(length): digest differs from XXH3")
                }
                if !input.elementsEqual(UnsafeRawBufferPointer(rebasing: destination[..<length])) {
                    mismatches.append("\(length): copy differs")
                }
            }
        }
        #expect(mismatches.isEmpty, "pieces of \(piece): \(mismatches)")
    }
}
