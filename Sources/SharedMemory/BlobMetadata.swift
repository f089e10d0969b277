/// What the header says about one published payload.
public struct BlobMetadata: Equatable, Sendable {
    /// The publish number (1, 2, 3, ... per segment).
    public var sequence: UInt64
    /// What the payload is.
    public var kind: BlobKind
    /// Payload length in bytes.
    public var length: Int
    /// XXH3-64 of the payload.
    public var checksum: UInt64
    /// Publish time, nanoseconds since the Unix epoch.
    public var publishTimeNanoseconds: Int64
    /// Process id of the writer.
    public var writerPID: Int32

    /// Metadata as a layout without a header describes it (``ArticleSegment``: sequence,
    /// time and writer 0).
    public init(sequence: UInt64, kind: BlobKind, length: Int, checksum: UInt64,
                publishTimeNanoseconds: Int64, writerPID: Int32) {
        self.sequence = sequence
        self.kind = kind
        self.length = length
        self.checksum = checksum
        self.publishTimeNanoseconds = publishTimeNanoseconds
        self.writerPID = writerPID
    }
}

/// The result of a publish.
public struct PublishReceipt: Equatable, Sendable {
    /// The new blob's metadata as written to the header.
    public var metadata: BlobMetadata
    /// The publish number.
    public var sequence: UInt64 { metadata.sequence }
}

/// A segment's header fields and its latest blob, read without copying the payload.
public struct SegmentInfo: Equatable, Sendable {
    /// Where the segment lives.
    public var backing: SegmentBacking
    /// Layout version.
    public var version: UInt32
    /// Header size in bytes.
    public var headerSize: Int
    /// Per-slot payload capacity in bytes.
    public var capacity: Int
    /// Size of the whole segment in bytes.
    public var totalSize: Int
    /// The latest publish number; 0 when nothing was published.
    public var publishedSequence: UInt64
    /// The latest blob's metadata, if any.
    public var latest: BlobMetadata?
}

/// A reusable, growable destination for payload copies, so repeated reads do not
/// allocate (and fault in) fresh memory every time.
public final class PayloadBuffer: @unchecked Sendable {
    private(set) var storage: UnsafeMutableRawPointer
    private(set) var allocated: Int
    /// Bytes of the last payload read into this buffer.
    public private(set) var count: Int = 0

    /// Creates a buffer with room for `capacity` bytes (it grows when needed).
    public init(capacity: Int = 0) {
        allocated = max(capacity, 64)
        storage = UnsafeMutableRawPointer.allocate(byteCount: allocated, alignment: 64)
    }

    deinit { storage.deallocate() }

    /// The last payload read.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: storage, count: count) }

    /// A copy of the last payload read.
    public var array: [UInt8] { Array(bytes) }

    func prepare(_ length: Int) -> UnsafeMutableRawPointer {
        if length > allocated {
            storage.deallocate()
            allocated = length
            storage = UnsafeMutableRawPointer.allocate(byteCount: allocated, alignment: 64)
        }
        count = length
        return storage
    }
}
