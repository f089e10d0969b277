import ArgumentParser
import BlobTransfer
import SafeText

/// `blob-reader get`: reads the latest (or next) blob, verifies it, writes its content.
public struct GetCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Read the latest blob, verify it and write its content.",
        discussion: "Prints the path label, byte count, SHA-256, sequence and what was verified on stderr. "
            + "The article layout (--layout article) has no checksum and cannot be verified: a frame is taken once it "
            + "stayed the same for --settle milliseconds, and the last line says it is not verified.")

    @OptionGroup var segment: SegmentOptions
    @Option(help: ArgumentHelp("Write the content here; a folder: under the file name of the blob's label (default: -, stdout, refused when it is a terminal).",
                               valueName: "PATH|DIR|-"))
    var out: String?
    @Flag(help: "Wait for a blob newer than the current one (or than --after).") var wait = false
    @Option(help: ArgumentHelp("Return a blob newer than this sequence number, waiting if needed.", valueName: "SEQ"))
    var after: UInt64?
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Give up waiting after this many seconds (default: wait for ever).", valueName: "SECONDS"))
    var timeout: String?
    @Option(help: ArgumentHelp("When --out names a FIFO or device: how long it may take nothing (no reader yet, or a reader that stopped reading) before get gives up (default: 10).",
                               valueName: "SECONDS"))
    var outputTimeout: Double?
    @Flag(help: "Flush --out to disk before renaming it into place, so a power cut cannot leave an empty file there (slower; like cp, get does not by default).")
    var sync = false

    public init() {}

    public mutating func validate() throws {
        if let timeout, !(Double(timeout).map { $0 >= 0 && $0 < 1e9 } ?? false) {
            throw ValidationError("--timeout must be a number of seconds, 0 or more (got '\(TerminalText.escape(timeout))')")
        }
        if after != nil && !segment.layout.operations.numbersBlobs {
            throw ValidationError("--after needs sequence numbers, which the article layout does not have; use --wait")
        }
        if let outputTimeout, !(outputTimeout >= 0 && outputTimeout < 1e6) {
            throw ValidationError("--output-timeout must be a number of seconds, 0 or more")
        }
        if timeout != nil && !wait && after == nil {
            throw ValidationError("--timeout bounds a wait: add --wait or --after SEQ")
        }
    }

    public func run() throws {
        let out = self.out ?? "-"
        if out == "-" && Output.isTerminal(1) {
            throw CommandError.usage("refusing to write binary content to a terminal; use --out PATH or redirect stdout")
        }
        let backing = try segment.backing()
        let wait = timeout.flatMap(Double.init).map { Duration.nanoseconds(Int64($0 * 1e9)) }
        let path: String, bytes: Int, sha256: String, sequence: UInt64, integrity: Integrity, kind: BlobKind
        let intoFolder = out != "-" && Files.isDirectory(out)
        let output = out == "-" || intoFolder ? nil : try Files.AtomicOutput(out, stallSeconds: outputTimeout ?? 10)
        if intoFolder {
            // The name comes with the blob: read it first, then save under it.
            let received = try Receiver.receive(from: backing, format: segment.layout, wait: self.wait, after: after, timeout: wait)
            guard let name = Self.fileName(of: received.path, kind: received.metadata.kind) else {
                throw CommandError.noFileName(label: received.path, directory: out)
            }
            let target = try Files.AtomicOutput((out.hasSuffix("/") ? out : out + "/") + name, stallSeconds: outputTimeout ?? 10)
            try target.replaceContent(with: received.content)
            try target.commit(durable: sync)
            Output.info("saved: \(TerminalText.escape(name)) in \(TerminalText.escape(out))")
            (path, bytes, sha256, sequence, integrity, kind) = (received.path, received.content.count, received.sha256,
                                                               received.metadata.sequence, received.integrity, received.metadata.kind)
        } else if let output, output.isRewindable {
            // Straight from the mapping into the temporary file, renamed once verified.
            let delivered = try Receiver.deliver(from: backing, format: segment.layout, wait: self.wait, after: after, timeout: wait) { content in
                Result { () throws(TransferError) in try output.replaceContent(with: content) }
            }
            try output.commit(durable: sync)
            (path, bytes, sha256, sequence, integrity, kind) = (delivered.path, delivered.contentLength, delivered.sha256,
                                                           delivered.metadata.sequence, delivered.integrity, delivered.metadata.kind)
        } else {
            // stdout, a FIFO or a device cannot be rewound if the view had to be read
            // again: copy first, then write once.
            let received = try Receiver.receive(from: backing, format: segment.layout, wait: self.wait, after: after, timeout: wait)
            if let output {
                try output.replaceContent(with: received.content)
                try output.commit(durable: sync)
            } else {
                try received.content.withUnsafeBytes { raw in try Output.bytes(raw) }
            }
            (path, bytes, sha256, sequence, integrity, kind) = (received.path, received.content.count, received.sha256,
                                                           received.metadata.sequence, received.integrity, received.metadata.kind)
        }
        Output.info("path: " + (kind == .bytes ? "(none: raw bytes)" : TerminalText.escape(path)))
        Output.info("bytes: \(bytes)")
        Output.info("sha256: \(sha256)")
        if segment.layout == .blob { Output.info("sequence: \(sequence)") }
        Output.info(integrity.verdictLine)
    }

    /// The last component of a path label, if it is a name that is safe to create in a
    /// folder: not empty, not `.` or `..`, no control characters; nil for raw bytes.
    static func fileName(of label: String, kind: BlobKind) -> String? {
        guard kind != .bytes, let last = label.split(separator: "/").last.map(String.init) else { return nil }
        guard last != ".", last != "..", last.utf8.count <= 255,
              !last.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F || (0x80 ..< 0xA0).contains($0.value) }) else { return nil }
        return last
    }
}
