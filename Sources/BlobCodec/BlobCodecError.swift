/// Why a byte sequence is not a valid ImageData frame, and where.
public enum BlobCodecError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The field being read when a frame went wrong.
    public enum Field: String, Sendable {
        case pathLength = "path length"
        case path
        case contentLength = "content length"
        case content
    }

    /// Fewer bytes remain than a 4-byte length field needs.
    case truncated(field: Field, offset: Int, needed: Int, available: Int)
    /// A length field holds a negative Int32.
    case negativeLength(field: Field, offset: Int, value: Int32)
    /// A length field points past the end of the buffer.
    case lengthBeyondEnd(field: Field, offset: Int, length: Int, available: Int)
    /// The path bytes are not valid UTF-8.
    case invalidUTF8(offset: Int)
    /// Bytes follow the content.
    case trailingBytes(offset: Int, count: Int)
    /// A part is larger than an Int32 length can describe (encoding only).
    case tooLarge(field: Field, length: Int)

    /// One human sentence.
    public var description: String {
        switch self {
        case let .truncated(field, offset, needed, available):
            return "frame truncated at offset \(offset): the \(field.rawValue) needs \(needed) bytes, \(available) remain"
        case let .negativeLength(field, offset, value):
            return "negative \(field.rawValue) \(value) at offset \(offset)"
        case let .lengthBeyondEnd(field, offset, length, available):
            let name = field == .pathLength ? "path" : field == .contentLength ? "content" : field.rawValue
            return "\(name) length \(length) at offset \(offset) runs past the end (\(available) bytes remain)"
        case let .invalidUTF8(offset):
            return "path at offset \(offset) is not valid UTF-8"
        case let .trailingBytes(offset, count):
            return "\(count) unexpected bytes after the content at offset \(offset)"
        case let .tooLarge(field, length):
            return "\(field.rawValue) of \(length) bytes exceeds the Int32 limit of \(Int32.max)"
        }
    }
}
