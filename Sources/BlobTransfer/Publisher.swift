import BlobCodec
import Hashing
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

/// Publishing a file as an ImageData frame, for `put` and the writer app.
public enum Publisher {
    /// Publishes `file` into the segment at `backing`, creating it if needed.
    ///
    /// Everything that can be checked is checked before the segment is touched: the
    /// file must be a readable regular file whose frame fits the capacity.
    public static func publish(file: String, to backing: SegmentBacking, capacity: Int = Segments.defaultCapacity,
                               force: Bool = false) throws(TransferError) -> PublishedFile {
        let input = try Files.inspect(file)
        let frameLength = input.size + input.absolutePath.utf8.count + BlobCodec.overhead
        if !BlobSegment.exists(backing), frameLength > capacity {
            throw .frameTooLarge(length: frameLength, capacity: capacity)
        }
        let segment = try Segments.open(backing, mode: .createOrOpen, capacity: capacity, force: force)
        if frameLength > segment.capacity {
            throw .frameTooLarge(length: frameLength, capacity: segment.capacity)
        }
        let content = try Files.read(file)
        let receipt = try withBytes(content) { (raw) throws(TransferError) -> PublishReceipt in
            try segment.publishFrame(path: input.absolutePath, content: raw)
        }
        return PublishedFile(sequence: receipt.sequence, path: input.absolutePath, contentLength: content.count,
                             sha256: SHA256.hex(content))
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
            throw .frameTooLarge(length: pathBytes.count + content.count + BlobCodec.overhead, capacity: capacity)
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
