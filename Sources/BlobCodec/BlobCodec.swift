/// Encodes and decodes the ImageData frame that writer and reader agree on.
///
/// Wire format (the source article's `ImageData.ImageToBytes`, byte for byte):
///
/// | offset      | size | field                                   |
/// |-------------|------|-----------------------------------------|
/// | 0           | 4    | path length P, Int32 **little-endian**  |
/// | 4           | P    | path, UTF-8, no terminator              |
/// | 4 + P       | 4    | content length C, Int32 **little-endian** |
/// | 8 + P       | C    | content                                 |
///
/// A frame is exactly `8 + P + C` bytes; decoding rejects trailing bytes.
public enum BlobCodec {
    /// Size of the two length fields together.
    public static let overhead = 8

    /// The encoded size of a frame with the given part sizes.
    ///
    /// - Throws: ``BlobCodecError/tooLarge(field:length:)`` when a part exceeds `Int32.max`.
    public static func encodedSize(pathByteCount: Int, contentByteCount: Int) throws(BlobCodecError) -> Int {
        guard pathByteCount >= 0, pathByteCount <= Int(Int32.max) else {
            throw .tooLarge(field: .path, length: pathByteCount)
        }
        guard contentByteCount >= 0, contentByteCount <= Int(Int32.max) else {
            throw .tooLarge(field: .content, length: contentByteCount)
        }
        return overhead + pathByteCount + contentByteCount
    }

    /// Encodes a frame into a new array.
    public static func encode(_ frame: BlobFrame) throws(BlobCodecError) -> [UInt8] {
        let path = Array(frame.path.utf8)
        let size = try encodedSize(pathByteCount: path.count, contentByteCount: frame.content.count)
        var out = [UInt8]()
        out.reserveCapacity(size)
        appendInt32LE(Int32(path.count), to: &out)
        out.append(contentsOf: path)
        appendInt32LE(Int32(frame.content.count), to: &out)
        out.append(contentsOf: frame.content)
        return out
    }

    /// Encodes a frame into a new array.
    public static func encode(path: String, content: [UInt8]) throws(BlobCodecError) -> [UInt8] {
        try encode(BlobFrame(path: path, content: content))
    }

    /// Writes the frame's first part (path length and path) and the content length
    /// field into `destination`, returning the offset where content must follow.
    ///
    /// Lets a writer frame content straight into shared memory without an
    /// intermediate buffer. `destination` must hold at least `8 + pathUTF8.count` bytes.
    public static func writePrefix(
        pathUTF8: some Collection<UInt8>, contentByteCount: Int, into destination: UnsafeMutableRawBufferPointer
    ) throws(BlobCodecError) -> Int {
        _ = try encodedSize(pathByteCount: pathUTF8.count, contentByteCount: contentByteCount)
        precondition(destination.count >= overhead + pathUTF8.count, "destination smaller than the frame prefix")
        destination.storeBytes(of: UInt32(pathUTF8.count).littleEndian, toByteOffset: 0, as: UInt32.self)
        var i = 4
        for byte in pathUTF8 { destination[i] = byte; i += 1 }
        destination.storeBytes(of: UInt32(contentByteCount).littleEndian, toByteOffset: i, as: UInt32.self)
        return i + 4
    }

    /// Finds the path and content inside an encoded frame without copying.
    ///
    /// Any byte sequence either yields the ranges or throws a ``BlobCodecError`` that
    /// names the field and offset; nothing traps.
    public static func ranges(of bytes: UnsafeRawBufferPointer) throws(BlobCodecError) -> BlobFrameRanges {
        let total = bytes.count
        let pathLength = try readLength(bytes, at: 0, field: .pathLength)
        let pathStart = 4
        guard pathLength <= total - pathStart else {
            throw .lengthBeyondEnd(field: .pathLength, offset: 0, length: pathLength, available: total - pathStart)
        }
        let pathRange = pathStart ..< pathStart + pathLength
        let contentLengthOffset = pathRange.upperBound
        let contentLength = try readLength(bytes, at: contentLengthOffset, field: .contentLength)
        let contentStart = contentLengthOffset + 4
        guard contentLength <= total - contentStart else {
            throw .lengthBeyondEnd(
                field: .contentLength, offset: contentLengthOffset, length: contentLength,
                available: total - contentStart)
        }
        let contentRange = contentStart ..< contentStart + contentLength
        if contentRange.upperBound != total {
            throw .trailingBytes(offset: contentRange.upperBound, count: total - contentRange.upperBound)
        }
        return BlobFrameRanges(path: pathRange, content: contentRange)
    }

    /// Decodes the path of a frame whose ranges are known; invalid UTF-8 throws.
    public static func path(in bytes: UnsafeRawBufferPointer, ranges: BlobFrameRanges) throws(BlobCodecError) -> String {
        let slice = UnsafeRawBufferPointer(rebasing: bytes[ranges.path])
        guard let path = String(validating: slice, as: UTF8.self) else {
            throw .invalidUTF8(offset: ranges.path.lowerBound)
        }
        return path
    }

    /// Decodes a whole frame, copying the content.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(BlobCodecError) -> BlobFrame {
        let ranges = try ranges(of: bytes)
        let path = try path(in: bytes, ranges: ranges)
        return BlobFrame(path: path, content: Array(bytes[ranges.content]))
    }

    /// Decodes a whole frame from an array.
    public static func decode(_ bytes: [UInt8]) throws(BlobCodecError) -> BlobFrame {
        try withBytes(bytes) { (raw) throws(BlobCodecError) in try decode(raw) }
    }

    private static func readLength(
        _ bytes: UnsafeRawBufferPointer, at offset: Int, field: BlobCodecError.Field
    ) throws(BlobCodecError) -> Int {
        let available = bytes.count - offset
        guard available >= 4 else {
            throw .truncated(field: field, offset: offset, needed: 4, available: max(available, 0))
        }
        let raw = Int32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self))
        guard raw >= 0 else { throw .negativeLength(field: field, offset: offset, value: raw) }
        return Int(raw)
    }

    private static func appendInt32LE(_ value: Int32, to out: inout [UInt8]) {
        let v = UInt32(bitPattern: value)
        out.append(UInt8(truncatingIfNeeded: v))
        out.append(UInt8(truncatingIfNeeded: v >> 8))
        out.append(UInt8(truncatingIfNeeded: v >> 16))
        out.append(UInt8(truncatingIfNeeded: v >> 24))
    }
}
