/// The tag a writer stores in a slot's `kind` field to say what its payload is.
///
/// The engine moves bytes and never interprets the tag: what each value means (the
/// ImageData frame, the TestData record) is decided by the layers above and listed in
/// `blob_segment.h` for C readers.
public struct BlobKind: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The tag as stored.
    public let rawValue: UInt32
    /// Creates a kind from its stored tag.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// "kind N".
    public var description: String { "kind \(rawValue)" }
}
