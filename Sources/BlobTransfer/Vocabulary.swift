import CBlobSegment
import SystemPackage
import SharedMemory

// The engine's types that the services' callers (the apps, the commands) name. They
// reach them through the services, which is the only layer above the engine.

/// Where a segment lives (`/dev/shm/NAME` or a file).
public typealias SegmentBacking = SharedMemory.SegmentBacking
/// A validated shared-memory object name.
public typealias SegmentName = SharedMemory.SegmentName
/// What the header says about one published payload.
public typealias BlobMetadata = SharedMemory.BlobMetadata
/// The header fields and the latest blob's metadata.
public typealias SegmentInfo = SharedMemory.SegmentInfo
/// What the engine refuses.
public typealias SharedMemoryError = SharedMemory.SharedMemoryError
/// A slot's payload tag.
public typealias BlobKind = SharedMemory.BlobKind
/// Whose segments are accepted and how new ones are shared.
public typealias TrustPolicy = SharedMemory.TrustPolicy

extension BlobKind {
    /// An ImageData frame (`BlobCodec`): path label and file content.
    public static let imageData = BlobKind(rawValue: UInt32(BLOB_KIND_IMAGE_DATA.rawValue))
    /// The source article's packed `TestData` record.
    public static let testData = BlobKind(rawValue: UInt32(BLOB_KIND_TEST_DATA.rawValue))
    /// Bytes as they are, without a path label (what the C library and Python publish
    /// without a path); `get` saves them like a file's content.
    public static let bytes = BlobKind(rawValue: UInt32(BLOB_KIND_BYTES.rawValue))

    /// "image-data", "test-data", "bytes" or "kind N", as `info` prints it.
    public var name: String {
        switch self {
        case .imageData: return "image-data"
        case .testData: return "test-data"
        case .bytes: return "bytes"
        default: return description
        }
    }
}

/// Segment facts the apps and commands need without touching the engine.
public enum Segments {
    /// Default payload capacity of each slot: 10 MiB of frame.
    public static let defaultCapacity = BlobSegment.defaultCapacity
    /// How long a publish waits for another writer's lock by default.
    public static let defaultLockTimeout = BlobSegment.defaultLockTimeout

    /// Whether anything exists at the backing (a cheap check, no validation).
    public static func exists(_ backing: SegmentBacking) -> Bool { BlobSegment.exists(backing) }

    /// Validates a segment name.
    public static func name(_ raw: String) throws(TransferError) -> SegmentName {
        do throws(SharedMemoryError) { return try SegmentName(raw) } catch { throw .segment(error) }
    }

    /// Removes a segment; refuses an object that is not a segment of `format` unless
    /// `force` (an article-layout segment has only its size to check: it must open).
    public static func remove(_ backing: SegmentBacking, format: SegmentFormat = .blob, force: Bool) throws(TransferError) {
        try format.operations.remove(backing, force: force)
    }

    /// The header and the latest blob's metadata, without copying the payload.
    public static func info(_ backing: SegmentBacking) throws(TransferError) -> SegmentInfo {
        let segment = try Self.open(backing, mode: .openExisting)
        do throws(SharedMemoryError) { return try segment.info() } catch { throw .segment(error) }
    }

    /// Opens a segment with the engine's errors wrapped.
    static func open(_ backing: SegmentBacking, mode: BlobSegment.OpenMode, capacity: Int = defaultCapacity,
                     force: Bool = false) throws(TransferError) -> BlobSegment {
        do throws(SharedMemoryError) {
            return try BlobSegment.open(backing, mode: mode, capacity: capacity, force: force)
        } catch {
            throw .segment(error)
        }
    }
}
