import CShims

/// What a published payload is; stored in the slot descriptor's `kind` field.
public struct BlobKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The tag as stored.
    public let rawValue: UInt32
    /// Creates a kind from its stored tag.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// An ImageData frame (``BlobCodec``): path label and file content.
    public static let imageData = BlobKind(rawValue: UInt32(BLOB_KIND_IMAGE_DATA.rawValue))
    /// The source article's packed `TestData` record.
    public static let testData = BlobKind(rawValue: UInt32(BLOB_KIND_TEST_DATA.rawValue))

    /// "image-data", "test-data" or "kind N".
    public var description: String {
        switch self {
        case .imageData: return "image-data"
        case .testData: return "test-data"
        default: return "kind \(rawValue)"
        }
    }
}
