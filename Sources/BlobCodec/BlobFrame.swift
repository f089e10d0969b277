/// A decoded ImageData frame: the path label a writer attached and the content bytes.
///
/// The wire form is the source article's `ImageData` layout, byte for byte
/// (see ``BlobCodec``).
public struct BlobFrame: Equatable, Sendable {
    /// The path the writer named, usually the absolute path of the published file.
    public var path: String
    /// The published bytes.
    public var content: [UInt8]

    /// Creates a frame from a path label and content bytes.
    public init(path: String, content: [UInt8]) {
        self.path = path
        self.content = content
    }
}

/// Where the parts of an encoded frame lie inside a buffer, found without copying.
public struct BlobFrameRanges: Equatable, Sendable {
    /// Byte range of the UTF-8 path inside the frame.
    public var path: Range<Int>
    /// Byte range of the content inside the frame.
    public var content: Range<Int>
    /// Total frame length: `content.upperBound`.
    public var frameLength: Int { content.upperBound }
}
