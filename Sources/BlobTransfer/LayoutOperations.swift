import BlobCodec
import SharedMemory
import SharedRecords

/// What a segment layout does and says: ours (``BlobLayout``) or the C# article's
/// (``ArticleTransfer``). The layout is chosen once, from a ``SegmentFormat``
/// (``SegmentFormat/operations``); the services' public functions (``Publisher``,
/// ``Receiver``, ``RecordTransfer``, ``SegmentReport``, ``Segments/remove(_:format:force:)``)
/// and the apps hand their calls on to it, so no other code branches on the format.
public protocol LayoutOperations {
    /// Publishes a file as an ImageData frame.
    static func publish(file: String, to backing: SegmentBacking, capacity: Int?, force: Bool,
                        lockTimeout: Duration) throws(TransferError) -> PublishedFile
    /// Reads the latest file into memory (waiting first, as ``Receiver/receive(from:format:wait:after:timeout:)`` says).
    static func receive(from backing: SegmentBacking, wait: Bool, after: UInt64?, timeout: Duration?) throws(TransferError) -> ReceivedFile
    /// Hands the latest file's content, where it lies, to `consume`.
    static func deliver(from backing: SegmentBacking, wait: Bool, after: UInt64?, timeout: Duration?,
                        to consume: (UnsafeRawBufferPointer) -> Result<Void, TransferError>) throws(TransferError) -> DeliveredFile
    /// One read for the reader app (a file or a record, copied once).
    static func readForDisplay(from backing: SegmentBacking) throws(TransferError) -> Reception
    /// `info`'s report.
    static func report(_ backing: SegmentBacking) throws(TransferError) -> SegmentReport
    /// Publishes a TestData record.
    static func publishRecord(_ record: Record, to backing: SegmentBacking, capacity: Int?) throws(TransferError) -> TestDataValue
    /// Reads the latest TestData record.
    static func receiveRecord(from backing: SegmentBacking) throws(TransferError) -> TestDataValue
    /// Removes the segment (refusing what is not one of this layout unless `force`).
    static func remove(_ backing: SegmentBacking, force: Bool) throws(TransferError)
    /// Calls `onPublish` for each new blob (newer than `after`) until `isCancelled()`;
    /// `onRemoval` when the segment goes away.
    static func watch(_ backing: SegmentBacking, after: UInt64, isCancelled: () -> Bool, onRemoval: () -> Void,
                      onPublish: (UInt64) -> Void)

    /// Whether blobs carry a sequence, a time, a writer and a checksum (the article's
    /// layout has none of them).
    static var numbersBlobs: Bool { get }
    /// Where a publish landed, in a sentence: "sequence 3", "at offset 0 (article layout)".
    static func landed(sequence: UInt64) -> String
    /// Where `put` says a file landed: "sequence 3", "at offset 0 (article layout, no sequence)".
    static func landedFile(sequence: UInt64) -> String
    /// When and by whom a blob was published, or what the layout cannot say.
    static func provenance(_ metadata: BlobMetadata, published: String) -> String
    /// The reader's status line after reading a file of `bytes` bytes.
    static func readFileSentence(_ metadata: BlobMetadata, bytes: Int, integrity: Integrity) -> String
    /// The reader's status line after reading a TestData record.
    static func readRecordSentence(_ metadata: BlobMetadata) -> String
}

extension SegmentFormat {
    /// The layout's operations: the one place a format is turned into code.
    public var operations: any LayoutOperations.Type {
        switch self {
        case .blob: return BlobLayout.self
        case .article: return ArticleTransfer.self
        }
    }
}

/// Our layout (`blob_segment.h`): a header, two slots, a checksum, a sequence, a futex.
public enum BlobLayout: LayoutOperations {
    public static func publish(file: String, to backing: SegmentBacking, capacity: Int?, force: Bool,
                               lockTimeout: Duration) throws(TransferError) -> PublishedFile {
        try Publisher.publishBlob(file: file, to: backing, capacity: capacity, force: force, lockTimeout: lockTimeout)
    }

    public static func receive(from backing: SegmentBacking, wait: Bool, after: UInt64?, timeout: Duration?) throws(TransferError) -> ReceivedFile {
        try Receiver.receiveBlob(from: backing, wait: wait, after: after, timeout: timeout)
    }

    public static func deliver(from backing: SegmentBacking, wait: Bool, after: UInt64?, timeout: Duration?,
                               to consume: (UnsafeRawBufferPointer) -> Result<Void, TransferError>) throws(TransferError) -> DeliveredFile {
        try Receiver.deliverBlob(from: backing, wait: wait, after: after, timeout: timeout, to: consume)
    }

    public static func readForDisplay(from backing: SegmentBacking) throws(TransferError) -> Reception {
        try Receiver.readBlobForDisplay(from: backing)
    }

    public static func report(_ backing: SegmentBacking) throws(TransferError) -> SegmentReport { try SegmentReport.ofBlob(backing) }

    public static func publishRecord(_ record: Record, to backing: SegmentBacking, capacity: Int?) throws(TransferError) -> TestDataValue {
        try RecordTransfer.publishBlob(record, to: backing)
    }

    public static func receiveRecord(from backing: SegmentBacking) throws(TransferError) -> TestDataValue {
        try RecordTransfer.receiveBlob(from: backing)
    }

    public static func remove(_ backing: SegmentBacking, force: Bool) throws(TransferError) {
        do throws(SharedMemoryError) { try BlobSegment.remove(backing, force: force) } catch {
            throw .removing(backing, error)
        }
    }

    public static func watch(_ backing: SegmentBacking, after: UInt64, isCancelled: () -> Bool, onRemoval: () -> Void,
                             onPublish: (UInt64) -> Void) {
        SegmentWatcher.watch(backing, after: after, isCancelled: isCancelled, onRemoval: onRemoval, onPublish: onPublish)
    }

    public static var numbersBlobs: Bool { true }
    public static func landed(sequence: UInt64) -> String { "sequence \(sequence)" }
    public static func landedFile(sequence: UInt64) -> String { "sequence \(sequence)" }
    public static func provenance(_ metadata: BlobMetadata, published: String) -> String {
        "sequence: \(metadata.sequence)    " + published
    }
    public static func readFileSentence(_ metadata: BlobMetadata, bytes: Int, integrity: Integrity) -> String {
        "Read sequence \(metadata.sequence): \(bytes) bytes, \(integrity.description)."
    }
    public static func readRecordSentence(_ metadata: BlobMetadata) -> String { "Read TestData record, sequence \(metadata.sequence)." }
}

extension ArticleTransfer: LayoutOperations {
    public static func publish(file: String, to backing: SegmentBacking, capacity: Int?, force: Bool,
                               lockTimeout: Duration) throws(TransferError) -> PublishedFile {
        try publish(file: file, to: backing, capacity: capacity, lockTimeout: lockTimeout)
    }

    /// No sequence: waiting is for the bytes to change (`after` is ignored).
    public static func receive(from backing: SegmentBacking, wait: Bool, after: UInt64?, timeout: Duration?) throws(TransferError) -> ReceivedFile {
        if wait { try waitForChange(backing, timeout: timeout) }
        return try receive(from: backing)
    }

    public static func deliver(from backing: SegmentBacking, wait: Bool, after: UInt64?, timeout: Duration?,
                               to consume: (UnsafeRawBufferPointer) -> Result<Void, TransferError>) throws(TransferError) -> DeliveredFile {
        if wait { try waitForChange(backing, timeout: timeout) }
        return try deliver(from: backing, to: consume)
    }

    public static func report(_ backing: SegmentBacking) throws(TransferError) -> SegmentReport { try SegmentReport.ofArticle(backing) }

    /// An article segment has only its size to check: it must open (unless `force`).
    public static func remove(_ backing: SegmentBacking, force: Bool) throws(TransferError) {
        if !force && Segments.exists(backing) { _ = try openExisting(backing) }
        do throws(SharedMemoryError) { try MappedRegion.remove(backing) } catch {
            throw .removing(backing, error)
        }
    }

    /// Every change of the bytes counts as a publish (there is no sequence to be newer than).
    public static func watch(_ backing: SegmentBacking, after: UInt64, isCancelled: () -> Bool, onRemoval: () -> Void,
                             onPublish: (UInt64) -> Void) {
        watch(backing, isCancelled: isCancelled, onChange: onPublish)
    }

    public static var numbersBlobs: Bool { false }
    public static func landed(sequence: UInt64) -> String { "at offset 0 (article layout)" }
    public static func landedFile(sequence: UInt64) -> String { "at offset 0 (article layout, no sequence)" }
    public static func provenance(_ metadata: BlobMetadata, published: String) -> String {
        "article layout: no sequence, time or writer; no checksum"
    }
    public static func readFileSentence(_ metadata: BlobMetadata, bytes: Int, integrity: Integrity) -> String {
        "Read the frame at offset 0: \(bytes) bytes, \(integrity.description)."
    }
    public static func readRecordSentence(_ metadata: BlobMetadata) -> String {
        "Read TestData record at offset 0: NOT verified (article layout, no checksum; stable for "
            + "\(Integrity.unverified(stableFor: settle).stableMilliseconds) ms)."
    }
}

extension TransferError {
    /// A failed removal in the services' words: nothing there, or the engine's error.
    static func removing(_ backing: SegmentBacking, _ error: SharedMemoryError) -> TransferError {
        if case .notFound = error { return .nothingToRemove(backing) }
        return .segment(error)
    }
}
