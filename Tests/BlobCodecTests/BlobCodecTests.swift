import BlobCodec
import Testing
import TestSupport

@Suite struct BlobCodecTests {
    @Test func encodesTheSeedsLayoutByteForByte() throws {
        let bytes = try BlobCodec.encode(path: "ab", content: [1, 2, 3])
        #expect(bytes == [2, 0, 0, 0, 0x61, 0x62, 3, 0, 0, 0, 1, 2, 3])
        let long = try BlobCodec.encode(path: String(repeating: "x", count: 0x0102), content: [])
        #expect(Array(long[0 ..< 4]) == [0x02, 0x01, 0, 0])  // little-endian
    }

    @Test(arguments: [
        ("", [UInt8]()), ("a", [7]), ("/tmp/ü €.png", [0, 255, 0]), ("", [9]), ("p", []),
    ])
    func roundTrips(path: String, content: [UInt8]) throws {
        let frame = BlobFrame(path: path, content: content)
        let encoded = try BlobCodec.encode(frame)
        #expect(encoded.count == 8 + path.utf8.count + content.count)
        #expect(try BlobCodec.decode(encoded) == frame)
    }

    @Test func sizeLimitsAreInt32() throws {
        let max = Int(Int32.max)
        #expect(try BlobCodec.encodedSize(pathByteCount: 0, contentByteCount: max) == max + 8)
        #expect(try BlobCodec.encodedSize(pathByteCount: max, contentByteCount: 0) == max + 8)
        #expect(throws: BlobCodecError.tooLarge(field: .content, length: max + 1)) {
            try BlobCodec.encodedSize(pathByteCount: 0, contentByteCount: max + 1)
        }
        #expect(throws: BlobCodecError.tooLarge(field: .path, length: max + 1)) {
            try BlobCodec.encodedSize(pathByteCount: max + 1, contentByteCount: 0)
        }
    }

    @Test(arguments: [
        // (bytes, expected error)
        ([0xFF, 0xFF, 0xFF, 0xFF], BlobCodecError.negativeLength(field: .pathLength, offset: 0, value: -1)),
        ([0, 0, 0, 0x80], .negativeLength(field: .pathLength, offset: 0, value: Int32.min)),
        ([0xFF, 0xFF, 0xFF, 0x7F], .lengthBeyondEnd(field: .pathLength, offset: 0, length: Int(Int32.max), available: 0)),
        ([1, 0, 0, 0], .lengthBeyondEnd(field: .pathLength, offset: 0, length: 1, available: 0)),
        ([0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x7F], .lengthBeyondEnd(field: .contentLength, offset: 4, length: Int(Int32.max), available: 0)),
        ([0, 0, 0, 0, 0xFE, 0xFF, 0xFF, 0xFF], .negativeLength(field: .contentLength, offset: 4, value: -2)),
        ([0, 0, 0, 0, 2, 0, 0, 0, 9], .lengthBeyondEnd(field: .contentLength, offset: 4, length: 2, available: 1)),
        ([0, 0, 0, 0, 0, 0, 0, 0, 9, 9], .trailingBytes(offset: 8, count: 2)),
        ([1, 0, 0, 0, 0xFF, 0, 0, 0, 0], .invalidUTF8(offset: 4)),
        ([2, 0, 0, 0, 0xC3, 0x28, 0, 0, 0, 0], .invalidUTF8(offset: 4)),
        ([], .truncated(field: .pathLength, offset: 0, needed: 4, available: 0)),
        ([0, 0], .truncated(field: .pathLength, offset: 0, needed: 4, available: 2)),
        ([0, 0, 0, 0, 0], .truncated(field: .contentLength, offset: 4, needed: 4, available: 1)),
    ] as [([UInt8], BlobCodecError)])
    func rejectsMalformedFrames(bytes: [UInt8], expected: BlobCodecError) {
        #expect(throws: expected) { try BlobCodec.decode(bytes) }
    }

    @Test func decodesLengthZeroAndOne() throws {
        #expect(try BlobCodec.decode([0, 0, 0, 0, 0, 0, 0, 0]) == BlobFrame(path: "", content: []))
        #expect(try BlobCodec.decode([1, 0, 0, 0, 0x41, 1, 0, 0, 0, 0x42]) == BlobFrame(path: "A", content: [0x42]))
    }

    @Test func truncationAtEveryOffsetThrows() throws {
        let frame = try BlobCodec.encode(path: "/a/b.png", content: Array(0 ..< 20))
        for cut in 0 ..< frame.count {
            let prefix = Array(frame[0 ..< cut])
            #expect(throws: BlobCodecError.self, "cut at \(cut)") { try BlobCodec.decode(prefix) }
        }
        // And the error names the right field at the right offset.
        #expect(throws: BlobCodecError.truncated(field: .contentLength, offset: 12, needed: 4, available: 2)) {
            try BlobCodec.decode(Array(frame[0 ..< 14]))
        }
        #expect(throws: BlobCodecError.lengthBeyondEnd(field: .contentLength, offset: 12, length: 20, available: 3)) {
            try BlobCodec.decode(Array(frame[0 ..< 19]))
        }
    }

    @Test func randomMutationsNeverCrash() throws {
        var rng = SplitMix64(seed: 0x5EED)
        let base = try BlobCodec.encode(path: "/home/user/pictures/ünïcode.png", content: Array(repeating: 0xAB, count: 40))
        var decoded = 0, rejected = 0
        var misplaced = [String]()  // errors whose offset is not inside the mutated buffer
        for _ in 0 ..< 120_000 {
            var bytes = base
            for _ in 0 ..< Int.random(in: 1 ... 4, using: &rng) {
                switch Int.random(in: 0 ..< 5, using: &rng) {
                case 0 where !bytes.isEmpty:
                    bytes[Int.random(in: 0 ..< bytes.count, using: &rng)] = UInt8.random(in: 0 ... 255, using: &rng)
                case 1 where !bytes.isEmpty:
                    bytes.removeLast(Int.random(in: 0 ... bytes.count, using: &rng))
                case 2:
                    bytes.insert(UInt8.random(in: 0 ... 255, using: &rng), at: Int.random(in: 0 ... bytes.count, using: &rng))
                case 3 where !bytes.isEmpty:
                    bytes.remove(at: Int.random(in: 0 ..< bytes.count, using: &rng))
                default:
                    let i = Int.random(in: 0 ..< 2, using: &rng) == 0 ? 0 : min(bytes.count, 4 + Int.random(in: 0 ... 40, using: &rng))
                    if i + 4 <= bytes.count {
                        let v = UInt32.random(in: 0 ... .max, using: &rng)
                        for k in 0 ..< 4 { bytes[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
                    }
                }
            }
            do throws(BlobCodecError) {
                let frame = try BlobCodec.decode(bytes)
                // Whatever decodes must re-encode to exactly the same bytes.
                #expect((try? BlobCodec.encode(frame)) == bytes)
                decoded += 1
            } catch {
                rejected += 1
                // A rejection names where the frame went wrong; that place must lie
                // inside the bytes given (a truncation at their very end included).
                let offset: Int
                switch error {
                case let .truncated(_, at, _, _), let .negativeLength(_, at, _), let .lengthBeyondEnd(_, at, _, _),
                     let .invalidUTF8(at), let .trailingBytes(at, _):
                    offset = at
                case .tooLarge:
                    offset = -1  // an encoding error cannot come out of decode
                }
                if offset < 0 || offset > bytes.count { misplaced.append("\(error) for \(bytes.count) bytes") }
            }
        }
        #expect(misplaced.isEmpty, "\(misplaced.prefix(5))")
        #expect(rejected > 1000 && decoded > 100)
    }

    @Test func writePrefixMatchesEncode() throws {
        let path = Array("/x/y.jpg".utf8)
        var buffer = [UInt8](repeating: 0, count: path.count + 8 + 3)
        let start = try buffer.withUnsafeMutableBytes { try BlobCodec.writePrefix(pathUTF8: path, contentByteCount: 3, into: $0) }
        buffer[start] = 1; buffer[start + 1] = 2; buffer[start + 2] = 3
        #expect(buffer == (try BlobCodec.encode(path: "/x/y.jpg", content: [1, 2, 3])))
    }
}
