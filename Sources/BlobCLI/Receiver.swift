import BlobCodec
import Hashing
import SharedMemory

/// Reading and verifying the latest blob, shared by `get` and the reader's terminal app.
public enum Receiver {
    /// A verified ImageData blob.
    public struct Received: Sendable {
        /// The header's metadata.
        public var metadata: BlobMetadata
        /// The path label, unescaped (escape it before display).
        public var path: String
        /// The content bytes.
        public var content: [UInt8]
        /// SHA-256 of the content, hex.
        public var sha256: String
    }

    /// Reads the latest blob, optionally waiting for one newer than `after`.
    ///
    /// - Parameters:
    ///   - wait: when true, block until a blob newer than `after` (or than the current
    ///     one when `after` is nil) is published.
    public static func receive(from backing: SegmentBacking, wait: Bool = false, after: UInt64? = nil,
                               timeout: Duration? = nil) throws(CLIError) -> Received {
        guard let (metadata, buffer) = try latest(from: backing, wait: wait, after: after, timeout: timeout) else {
            throw CLIError("\(backing) holds no blob yet (run blob-writer put FILE)", exit: .missingSegment)
        }
        return try decode(metadata: metadata, payload: buffer.bytes)
    }

    /// Opens the segment and copies out its latest blob, checksum verified, of any kind;
    /// nil when nothing was published yet. With `wait` (or `after`), first blocks until a
    /// blob newer than `after` (default: the current one) lands.
    public static func latest(from backing: SegmentBacking, wait: Bool = false, after: UInt64? = nil,
                              timeout: Duration? = nil) throws(CLIError) -> (BlobMetadata, PayloadBuffer)? {
        let seg = try openSegment(backing, mode: .openExisting)
        let buffer = PayloadBuffer()
        do throws(SharedMemoryError) {
            if wait || after != nil {
                // Returns at once when a newer blob is already there.
                _ = try seg.waitForPublish(after: after ?? seg.publishedSequence, timeout: timeout)
            }
            return try seg.read(into: buffer).map { ($0, buffer) }
        } catch {
            throw CLIError(error)
        }
    }

    /// Decodes a verified payload as an ImageData frame.
    public static func decode(metadata: BlobMetadata, payload: UnsafeRawBufferPointer) throws(CLIError) -> Received {
        guard metadata.kind == .imageData else {
            throw CLIError("the latest blob is a \(metadata.kind) record, not a file (use get-struct)", exit: .corrupt)
        }
        do throws(BlobCodecError) {
            let layout = try BlobCodec.layout(of: payload)
            let path = try BlobCodec.path(in: payload, layout: layout)
            let content = UnsafeRawBufferPointer(rebasing: payload[layout.contentRange])
            return Received(metadata: metadata, path: path, content: Array(content), sha256: SHA256.hex(content))
        } catch {
            throw CLIError(error)
        }
    }
}
