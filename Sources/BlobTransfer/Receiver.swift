import BlobCodec
import Hashing
import SharedMemory

/// A verified ImageData blob.
public struct ReceivedFile: Sendable {
    /// The header's metadata.
    public var metadata: BlobMetadata
    /// The path label, unescaped (escape it before display).
    public var path: String
    /// The content bytes.
    public var content: [UInt8]
    /// SHA-256 of the content, hex.
    public var sha256: String
}

/// How what arrived relates to the file its path label names.
public enum DiskComparison: Equatable, Sendable {
    /// Same bytes as the file on disk.
    case identical
    /// The file exists and its bytes differ.
    case differs
    /// No file at the label's path here (or the label is not an absolute path).
    case notOnThisMachine

    /// The verdict as the reader shows it.
    public var sentence: String {
        switch self {
        case .identical: return "identical to the file on disk"
        case .differs: return "differs from the file on disk"
        case .notOnThisMachine: return "source not on this machine"
        }
    }
}

/// What the reader app gets for one read of the segment.
public enum Reception: Sendable {
    /// No segment at the backing.
    case segmentMissing
    /// The segment exists and holds no blob yet.
    case empty
    /// A file, verified, compared with the file on disk.
    case file(ReceivedFile, DiskComparison)
    /// A TestData record.
    case record(TestDataValue, BlobMetadata)
}

/// Reading and verifying the latest blob, for `get`, `get-struct` and the reader app.
public enum Receiver {
    /// Reads the latest blob, which must be a file, optionally waiting for one newer
    /// than `after` (or than the current one when `wait` is set and `after` is nil).
    public static func receive(from backing: SegmentBacking, wait: Bool = false, after: UInt64? = nil,
                               timeout: Duration? = nil) throws(TransferError) -> ReceivedFile {
        guard let (metadata, buffer) = try latest(from: backing, wait: wait, after: after, timeout: timeout) else {
            throw .nothingPublished(backing, hint: "blob-writer put FILE")
        }
        return try decodeFile(metadata: metadata, payload: buffer.bytes)
    }

    /// Opens the segment and copies out its latest blob of any kind, checksum verified;
    /// nil when nothing was published yet. With `wait` (or `after`), first blocks until a
    /// blob newer than `after` (default: the current one) lands.
    public static func latest(from backing: SegmentBacking, wait: Bool = false, after: UInt64? = nil,
                              timeout: Duration? = nil) throws(TransferError) -> (BlobMetadata, PayloadBuffer)? {
        let segment = try Segments.open(backing, mode: .openExisting)
        let buffer = PayloadBuffer()
        do throws(SharedMemoryError) {
            if wait || after != nil {
                // Returns at once when a newer blob is already there.
                _ = try segment.waitForPublish(after: after ?? segment.publishedSequence, timeout: timeout)
            }
            return try segment.read(into: buffer).map { ($0, buffer) }
        } catch {
            throw .segment(error)
        }
    }

    /// Decodes a verified payload as an ImageData frame.
    public static func decodeFile(metadata: BlobMetadata, payload: UnsafeRawBufferPointer) throws(TransferError) -> ReceivedFile {
        guard metadata.kind == .imageData else { throw .notAFile(found: metadata.kind) }
        do throws(BlobCodecError) {
            let ranges = try BlobCodec.ranges(of: payload)
            let path = try BlobCodec.path(in: payload, ranges: ranges)
            let content = UnsafeRawBufferPointer(rebasing: payload[ranges.content])
            return ReceivedFile(metadata: metadata, path: path, content: Array(content), sha256: SHA256.hex(content))
        } catch {
            throw .invalidFrame(error)
        }
    }

    /// One read for the reader app: the latest blob of any kind, decoded, and a file
    /// compared with the one its label names. Runs off the UI thread.
    public static func readForDisplay(from backing: SegmentBacking) throws(TransferError) -> Reception {
        if !Segments.exists(backing) { return .segmentMissing }
        guard let (metadata, buffer) = try latest(from: backing) else { return .empty }
        if metadata.kind == .testData {
            return .record(try RecordTransfer.decode(metadata, buffer.bytes), metadata)
        }
        let file = try decodeFile(metadata: metadata, payload: buffer.bytes)
        return .file(file, compareWithDisk(file))
    }

    /// Compares what arrived with the file its path label names, if it is on this machine.
    public static func compareWithDisk(_ file: ReceivedFile) -> DiskComparison {
        guard file.path.hasPrefix("/"), let input = try? Files.inspect(file.path) else { return .notOnThisMachine }
        guard input.size == file.content.count, let bytes = try? Files.read(file.path) else { return .differs }
        return bytes == file.content ? .identical : .differs
    }
}
