import ArgumentParser
import BlobCodec
import Hashing
import SharedMemory

/// `blob-writer put FILE`: frames a file's absolute path and bytes and publishes them.
public struct PutCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Publish a file into the shared-memory segment.",
        discussion: "Prints the sequence number and byte count, then the SHA-256 as sha256sum prints it.")

    @Argument(help: "The file to publish.") var file: String
    @OptionGroup var segment: SegmentOptions
    @Option(help: ArgumentHelp("Payload capacity when the segment is created (bytes; default 10 MiB).", valueName: "BYTES"))
    var capacity: Int = BlobSegment.defaultCapacity
    @Flag(help: "Re-initialize an existing object that is not a valid segment.") var force = false

    public init() {}

    public func run() throws {
        try runReporting { () throws(CLIError) in
            let receipt = try Publisher.publish(file: file, to: try segment.backing(), capacity: capacity, force: force)
            Output.line("published sequence \(receipt.sequence): \(receipt.contentLength) bytes")
            Output.line("\(receipt.sha256)  \(TerminalText.escape(receipt.path))")
        }
    }
}

/// Publishing a file, shared by `put` and the writer's terminal app.
public enum Publisher {
    /// What a publish did.
    public struct Receipt: Sendable {
        /// The publish number.
        public var sequence: UInt64
        /// The path label sent (absolute path).
        public var path: String
        /// Content bytes.
        public var contentLength: Int
        /// SHA-256 of the content, hex.
        public var sha256: String
    }

    /// Publishes `file` into the segment at `backing`, creating it if needed.
    ///
    /// Everything that can be checked is checked before the segment is touched: the
    /// file must be a readable regular file whose frame fits the capacity.
    public static func publish(file: String, to backing: SegmentBacking, capacity: Int = BlobSegment.defaultCapacity,
                               force: Bool = false) throws(CLIError) -> Receipt {
        let input = try FileIO.inspect(file)
        let frameLength = input.size + input.absolutePath.utf8.count + BlobCodec.overhead
        if !BlobSegment.exists(backing), frameLength > capacity {
            throw CLIError(SharedMemoryError.tooLarge(length: frameLength, capacity: capacity))
        }
        let seg = try openSegment(backing, mode: .createOrOpen, capacity: capacity, force: force)
        if frameLength > seg.capacity {
            throw CLIError(SharedMemoryError.tooLarge(length: frameLength, capacity: seg.capacity))
        }
        let content = try FileIO.read(file)
        do throws(SharedMemoryError) {
            let receipt = try withBytes(content) { (raw) throws(SharedMemoryError) -> PublishReceipt in
                try seg.publishFrame(path: input.absolutePath, content: raw)
            }
            return Receipt(sequence: receipt.sequence, path: input.absolutePath, contentLength: content.count,
                           sha256: SHA256.hex(content))
        } catch {
            throw CLIError(error)
        }
    }
}
