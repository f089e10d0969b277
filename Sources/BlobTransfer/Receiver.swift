import BlobCodec
import Glibc
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
    /// How far the bytes could be checked.
    public var integrity: Integrity = .verified

    /// A received file (the reader builds them; tests of the apps make their own).
    public init(metadata: BlobMetadata, path: String, content: [UInt8], sha256: String, integrity: Integrity = .verified) {
        self.metadata = metadata
        self.path = path
        self.content = content
        self.sha256 = sha256
        self.integrity = integrity
    }
}

/// How far a received blob could be checked: the one place that says "verified".
public enum Integrity: Equatable, Sendable, CustomStringConvertible {
    /// Our layout: the payload matched its XXH3-64 checksum and no writer reused its slot
    /// during the read.
    case verified
    /// The article's layout has no checksum, so nothing can be verified: the frame's
    /// bytes stayed the same for this long after they were read; a writer that paused
    /// for longer in the middle of a frame cannot be ruled out.
    case unverified(stableFor: Duration)

    /// Whether the checksum was checked.
    public var isVerified: Bool { self == .verified }

    /// The milliseconds the bytes were seen stable (0 when verified).
    public var stableMilliseconds: Int {
        guard case let .unverified(d) = self else { return 0 }
        return Int(d.components.seconds) * 1000 + Int(d.components.attoseconds / 1_000_000_000_000_000)
    }

    /// `get`'s line: `verified: yes (...)` or `verified: no (...)`.
    public var verdictLine: String {
        switch self {
        case .verified:
            return "verified: yes (XXH3-64 checksum)"
        case .unverified:
            return "verified: no (the article layout has no checksum; the frame stayed the same for \(stableMilliseconds) ms, "
                + "a writer pausing longer in mid-write could still have torn it)"
        }
    }

    /// One line for people: what was checked, and what was not.
    public var description: String {
        switch self {
        case .verified:
            return "checksum verified (XXH3-64)"
        case .unverified:
            return "NOT verified: the article layout has no checksum; the frame stayed the same for \(stableMilliseconds) ms "
                + "(a writer pausing longer in mid-write could still have torn it)"
        }
    }
}

/// How what arrived relates to the file its path label names.
public enum DiskComparison: Equatable, Sendable {
    /// Same bytes as the file on disk.
    case identical
    /// The file exists, was not modified after the publish, and its bytes differ.
    case differs
    /// The file exists and was modified after the publish (so it may have been sent as
    /// it was then).
    case changedSincePublished
    /// The label's folder is here but the file is not: removed (or renamed) since.
    case removedSincePublished
    /// Neither the file nor its folder is here (or the label is not an absolute path):
    /// it was sent from elsewhere.
    case notOnThisMachine
    /// Bytes published without a path label: there is no file to compare with.
    case noLabel

    /// The verdict as the reader shows it.
    public var sentence: String {
        switch self {
        case .identical: return "identical to the file on disk"
        case .differs: return "differs from the file on disk"
        case .changedSincePublished: return "differs: the file on disk changed since it was published"
        case .removedSincePublished: return "the file on disk was removed since it was published"
        case .notOnThisMachine: return "source not on this machine"
        case .noLabel: return "raw bytes: no file named to compare with"
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

/// A file delivered from the mapping without a copy: everything but the bytes.
public struct DeliveredFile: Sendable {
    /// The header's metadata.
    public var metadata: BlobMetadata
    /// The path label, unescaped (escape it before display).
    public var path: String
    /// Content bytes.
    public var contentLength: Int
    /// SHA-256 of the content, hex.
    public var sha256: String
    /// Whether the content was read where it lies (or from a copy, after writers kept
    /// reusing the slot).
    public var zeroCopy: Bool
    /// How far the bytes could be checked.
    public var integrity: Integrity = .verified
}

/// Reading and verifying the latest blob, for `get`, `get-struct` and the reader app.
/// Reads verify the checksum in place in the mapping (`BlobSegment.withVerifiedView(_:)`)
/// and copy only what the caller keeps.
public enum Receiver {
    /// Reads the latest blob, which must be a file, into memory, optionally waiting for
    /// one newer than `after` (or than the current one when `wait` is set).
    public static func receive(from backing: SegmentBacking, format: SegmentFormat = .blob, wait: Bool = false,
                               after: UInt64? = nil, timeout: Duration? = nil) throws(TransferError) -> ReceivedFile {
        try format.operations.receive(from: backing, wait: wait, after: after, timeout: timeout)
    }

    /// ``receive(from:format:wait:after:timeout:)`` in our layout (``BlobLayout``).
    static func receiveBlob(from backing: SegmentBacking, wait: Bool, after: UInt64?, timeout: Duration?) throws(TransferError) -> ReceivedFile {
        let segment = try openWaiting(backing, wait: wait, after: after, timeout: timeout)
        // Only the copy inside the seqlock window; the SHA-256 of the copy after it.
        let viewed: VerifiedView<Result<(path: String, content: [UInt8]), TransferError>>?
        do throws(SharedMemoryError) {
            viewed = try segment.withVerifiedView { metadata, payload in
                Result { () throws(TransferError) in
                    let (path, content) = try frame(metadata, payload)
                    return (path, try guarded { () throws(SharedMemoryError) in try segment.copy(content) })
                }
            }
        } catch {
            throw .segment(error)
        }
        guard let viewed else { throw .nothingPublished(backing, hint: "put FILE") }
        let (path, bytes) = try viewed.result.get()
        return ReceivedFile(metadata: viewed.metadata, path: path, content: bytes, sha256: SHA256.hex(bytes))
    }

    /// Verifies the latest file in place and hands its content, where it lies in the
    /// mapping, to `consume` (which writes it out, say). `consume` may run more than once
    /// if writers reuse the slot meanwhile; each call must replace what the previous one
    /// produced. Nothing is copied into memory.
    public static func deliver(from backing: SegmentBacking, format: SegmentFormat = .blob, wait: Bool = false,
                               after: UInt64? = nil, timeout: Duration? = nil,
                               to consume: (UnsafeRawBufferPointer) -> Result<Void, TransferError>) throws(TransferError) -> DeliveredFile {
        try format.operations.deliver(from: backing, wait: wait, after: after, timeout: timeout, to: consume)
    }

    /// ``deliver(from:format:wait:after:timeout:to:)`` in our layout (``BlobLayout``).
    static func deliverBlob(from backing: SegmentBacking, wait: Bool, after: UInt64?, timeout: Duration?,
                            to consume: (UnsafeRawBufferPointer) -> Result<Void, TransferError>) throws(TransferError) -> DeliveredFile {
        let segment = try openWaiting(backing, wait: wait, after: after, timeout: timeout)
        let viewed: VerifiedView<Result<DeliveredFile, TransferError>>?
        do throws(SharedMemoryError) {
            viewed = try segment.withVerifiedView { metadata, payload in
                Result { () throws(TransferError) in
                    let (path, content) = try frame(metadata, payload)
                    let (sha, consumed) = try guarded { () throws(SharedMemoryError) in
                        try segment.sha256(content, besides: { consume(content) })
                    }
                    try consumed.get()
                    return DeliveredFile(metadata: metadata, path: path, contentLength: content.count,
                                         sha256: sha, zeroCopy: false)
                }
            }
        } catch {
            throw .segment(error)
        }
        guard let viewed else { throw .nothingPublished(backing, hint: "put FILE") }
        var delivered = try viewed.result.get()
        delivered.zeroCopy = viewed.source == .mapping
        return delivered
    }

    /// Opens the segment and, with `wait` (or `after`), blocks until a blob newer than
    /// `after` (default: the current one) lands.
    static func openWaiting(_ backing: SegmentBacking, wait: Bool, after: UInt64?, timeout: Duration?) throws(TransferError) -> BlobSegment {
        guard wait || after != nil else { return try Segments.open(backing, mode: .openExisting) }
        // The segment must exist to say what "newer" means; after that the wait follows it
        // through removal and re-creation (a new segment's first publish counts).
        let current = try Segments.open(backing, mode: .openExisting)
        let start = after ?? current.publishedSequence
        if current.publishedSequence > start { return current }
        let next: UInt64?
        do throws(SharedMemoryError) { next = try SegmentWatcher.nextPublish(backing, after: start, timeout: timeout) } catch {
            throw .segment(error)
        }
        guard next != nil else { throw .segment(.timedOut(after: start)) }
        return try Segments.open(backing, mode: .openExisting)
    }

    /// Runs an engine read of mapped bytes with its error wrapped.
    static func guarded<R>(_ body: () throws(SharedMemoryError) -> R) throws(TransferError) -> R {
        do throws(SharedMemoryError) { return try body() } catch { throw .segment(error) }
    }

    /// The path label and the content of a verified payload that must be a file: an
    /// ImageData frame, or bytes as they are (an empty label).
    static func frame(_ metadata: BlobMetadata, _ payload: UnsafeRawBufferPointer) throws(TransferError) -> (String, UnsafeRawBufferPointer) {
        if metadata.kind == .bytes { return ("", payload) }
        guard metadata.kind == .imageData else { throw .notAFile(found: metadata.kind) }
        do throws(BlobCodecError) {
            let ranges = try BlobCodec.ranges(of: payload)
            let path = try BlobCodec.path(in: payload, ranges: ranges)
            return (path, UnsafeRawBufferPointer(rebasing: payload[ranges.content]))
        } catch {
            throw .invalidFrame(error)
        }
    }

    /// One read for the reader app: the latest blob of any kind, verified, copied once
    /// (kept for saving and previewing). Only the copy happens inside the seqlock window
    /// (and is redone if a writer reuses the slot meanwhile); the SHA-256, the record's
    /// decoding and the comparison with the file on disk run on the copy afterwards.
    /// Runs off the UI thread.
    public static func readForDisplay(from backing: SegmentBacking, format: SegmentFormat = .blob) throws(TransferError) -> Reception {
        try format.operations.readForDisplay(from: backing)
    }

    /// ``readForDisplay(from:format:)`` in our layout (``BlobLayout``).
    static func readBlobForDisplay(from backing: SegmentBacking) throws(TransferError) -> Reception {
        if !Segments.exists(backing) { return .segmentMissing }
        let segment = try Segments.open(backing, mode: .openExisting)
        /// What the window copies: a record's bytes, or a frame's label and content.
        enum Copied { case record([UInt8]), file(path: String, content: [UInt8]) }
        let viewed: VerifiedView<Result<Copied, TransferError>>?
        do throws(SharedMemoryError) {
            viewed = try segment.withVerifiedView { metadata, payload in
                Result { () throws(TransferError) -> Copied in
                    if metadata.kind == .testData {
                        return .record(try guarded { () throws(SharedMemoryError) in try segment.copy(payload) })
                    }
                    let (path, content) = try frame(metadata, payload)
                    return .file(path: path, content: try guarded { () throws(SharedMemoryError) in try segment.copy(content) })
                }
            }
        } catch {
            throw .segment(error)
        }
        guard let viewed else { return .empty }
        let metadata = viewed.metadata
        switch try viewed.result.get() {
        case let .record(bytes):
            return .record(try withBytes(bytes) { (raw) throws(TransferError) in try RecordTransfer.decode(metadata, raw) }, metadata)
        case let .file(path, bytes):
            let file = ReceivedFile(metadata: metadata, path: path, content: bytes, sha256: SHA256.hex(bytes))
            return .file(file, compareWithDisk(file))
        }
    }

    /// Compares received bytes with the file the label names, if it is on this machine;
    /// `publishedAt` (nanoseconds since the epoch) tells a file changed since from one
    /// that simply differs.
    public static func compareWithDisk(path: String, content: UnsafeRawBufferPointer, publishedAt: Int64) -> DiskComparison {
        if path.isEmpty { return .noLabel }
        guard path.hasPrefix("/") else { return .notOnThisMachine }
        // One descriptor, regular files only, never more read than could match.
        guard let input = try? Files.openInput(path) else {
            let folder = String(path[..<path.lastIndex(of: "/")!])
            return Files.isDirectory(folder.isEmpty ? "/" : folder) ? .removedSincePublished : .notOnThisMachine
        }
        defer { input.close() }
        if input.size == content.count, let bytes = try? input.readBytes(max: content.count + 1), bytes.count == content.count,
           content.isEmpty || bytes.withUnsafeBytes({ memcmp($0.baseAddress!, content.baseAddress!, content.count) == 0 }) {
            return .identical
        }
        return input.modifiedNanoseconds > publishedAt ? .changedSincePublished : .differs
    }

    /// Compares a received file with the file its label names.
    public static func compareWithDisk(_ file: ReceivedFile) -> DiskComparison {
        file.content.withUnsafeBytes {
            compareWithDisk(path: file.path, content: $0, publishedAt: file.metadata.publishTimeNanoseconds)
        }
    }
}
