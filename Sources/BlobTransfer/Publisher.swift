import BlobCodec
import Hashing
import SafeText
import SharedMemory

/// What a publish of a file did.
public struct PublishedFile: Equatable, Sendable {
    /// The publish number.
    public var sequence: UInt64
    /// The path label sent (the file's absolute path).
    public var path: String
    /// Content bytes.
    public var contentLength: Int
    /// SHA-256 of the content, hex.
    public var sha256: String
}

/// A file's ImageData frame as both layouts publish it: its path label, the frame's
/// length, the prefix written before the content, and the refusal when it does not fit.
struct FramePlan {
    /// The file as the user named it (for messages).
    let file: String
    /// The label: the absolute path; bytes of a name that are not UTF-8 are written \xNN.
    let label: String
    /// Content bytes (the file's size when checked).
    let contentLength: Int
    /// Label, content and the two length fields.
    let frameLength: Int
    /// The two length fields and the label, as they precede the content.
    let prefix: [UInt8]

    init(file: String, input: Files.Input) {
        self.file = file
        label = RawPath.label(input.absolutePath)
        contentLength = input.size
        let path = Array(label.utf8)
        frameLength = input.size + path.count + BlobCodec.overhead
        var prefix = [UInt8](repeating: 0, count: path.count + BlobCodec.overhead)
        prefix.withUnsafeMutableBytes { dst in
            _ = try! BlobCodec.writePrefix(pathUTF8: path, contentByteCount: input.size, into: dst)
        }
        self.prefix = prefix
    }

    /// Whether the frame fits `capacity` (and its content an Int32 length).
    func fits(_ capacity: Int) -> Bool { frameLength <= capacity && contentLength <= Int(Int32.max) }

    /// The refusal for `capacity`, with what its remedy needs.
    func tooLarge(_ capacity: Int, backing: SegmentBacking, segmentExists: Bool) -> TransferError {
        .fileTooLarge(TooLargeFile(file: file, contentLength: contentLength, frameLength: frameLength,
                                   capacity: capacity, backing: backing, segmentExists: segmentExists))
    }
}

/// Publishing a file as an ImageData frame, for `put` and the writer app.
public enum Publisher {
    /// Publishes `file` into the segment at `backing`, creating it if needed.
    ///
    /// Everything that can be checked is checked before the segment is touched: the
    /// file must be a readable regular file whose frame fits the capacity. The file is
    /// then read once, from the descriptor that was checked, straight into the free
    /// slot; XXH3 and SHA-256 are computed on each chunk while it is in cache. A file
    /// that shrinks meanwhile publishes nothing (the previous blob stays).
    ///
    /// - Parameter file: the file to publish (a regular file, read once).
    /// - Parameter backing: the segment to publish into (created if missing).
    /// - Parameter force: re-initialize an object of yours that is not a valid segment.
    /// - Parameter capacity: per-blob capacity when the segment is created; when given
    ///   for an existing segment of another capacity, the publish is refused with the
    ///   remedy (nil: the existing one's, or the default for a new one).
    /// - Parameter lockTimeout: how long to wait for another writer's lock.
    /// - Parameter format: ``SegmentFormat/article`` writes the article's layout instead
    ///   (``ArticleTransfer/publish(file:to:capacity:lockTimeout:)``).
    public static func publish(file: String, to backing: SegmentBacking, format: SegmentFormat = .blob,
                               capacity: Int? = nil, force: Bool = false,
                               lockTimeout: Duration = BlobSegment.defaultLockTimeout) throws(TransferError) -> PublishedFile {
        try format.operations.publish(file: file, to: backing, capacity: capacity, force: force, lockTimeout: lockTimeout)
    }

    /// ``publish(file:to:format:capacity:force:lockTimeout:)`` in our layout (``BlobLayout``).
    static func publishBlob(file: String, to backing: SegmentBacking, capacity: Int?, force: Bool,
                            lockTimeout: Duration) throws(TransferError) -> PublishedFile {
        let input = try Files.openInput(file)
        defer { input.close() }
        let plan = FramePlan(file: file, input: input)
        if !BlobSegment.exists(backing), plan.frameLength > capacity ?? Segments.defaultCapacity {
            throw plan.tooLarge(capacity ?? Segments.defaultCapacity, backing: backing, segmentExists: false)
        }
        let segment = try Segments.open(backing, mode: .createOrOpen, capacity: capacity ?? Segments.defaultCapacity, force: force)
        if let capacity, !segment.created, segment.capacity != capacity {
            throw .capacityMismatch(backing, existing: segment.capacity, requested: capacity)
        }
        if !plan.fits(segment.capacity) { throw plan.tooLarge(segment.capacity, backing: backing, segmentExists: true) }
        let prefix = plan.prefix
        let frameLength = plan.frameLength
        let sha = SHA256.Hasher()
        let receipt: PublishReceipt
        do throws(PublishError<TransferError>) {
            receipt = try segment.publish(kind: .imageData, length: frameLength, lockTimeout: lockTimeout) {
                (slot: inout SlotWriter) throws(TransferError) in
                prefix.withUnsafeBytes { slot.append($0) }
                slot.hashSHA256Beside(sha)
                while slot.remaining > 0 {
                    let n = try slot.fill(upTo: 64 * 1024) { (dst) throws(TransferError) in
                        try input.read(into: dst)
                    }
                    if n == 0 { break }  // shrank: the engine refuses the short payload
                }
            }
        } catch {
            switch error {
            case let .segment(e): throw .segment(e)
            case let .producer(e): throw e
            }
        }
        return PublishedFile(sequence: receipt.sequence, path: plan.label, contentLength: input.size,
                             sha256: sha.finalizeHex())
    }
}

extension BlobSegment {
    /// Publishes an ImageData frame (path label and content) straight into the segment,
    /// tagged ``BlobKind/imageData``, without building the frame in memory first.
    ///
    /// - Throws: ``TransferError/frameTooLarge(length:capacity:)`` before touching the
    ///   segment when the frame does not fit; the previous blob stays readable.
    public func publishFrame(path: String, content: UnsafeRawBufferPointer) throws(TransferError) -> PublishReceipt {
        let pathBytes = Array(path.utf8)
        let frameLength: Int
        do throws(BlobCodecError) {
            frameLength = try BlobCodec.encodedSize(pathByteCount: pathBytes.count, contentByteCount: content.count)
        } catch {
            let (length, overflow) = content.count.addingReportingOverflow(pathBytes.count + BlobCodec.overhead)
            throw .frameTooLarge(length: overflow ? .max : length, capacity: capacity)
        }
        guard frameLength <= capacity else { throw .frameTooLarge(length: frameLength, capacity: capacity) }
        var prefix = [UInt8](repeating: 0, count: pathBytes.count + BlobCodec.overhead)
        prefix.withUnsafeMutableBytes { dst in
            _ = try! BlobCodec.writePrefix(pathUTF8: pathBytes, contentByteCount: content.count, into: dst)
        }
        do throws(SharedMemoryError) {
            return try withBytes(prefix) { (p) throws(SharedMemoryError) -> PublishReceipt in
                try publish(kind: .imageData, parts: [p, content])
            }
        } catch {
            throw .segment(error)
        }
    }
}
