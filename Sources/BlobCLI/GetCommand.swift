import ArgumentParser
import BlobTransfer
import SafeText

/// `blob-reader get`: reads the latest (or next) blob, verifies it, writes its content.
public struct GetCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Read the latest blob, verify it and write its content.",
        discussion: "Prints the path label, byte count, SHA-256 and sequence on stderr.")

    @OptionGroup var segment: SegmentOptions
    @Option(help: ArgumentHelp("Write the content here; '-' (the default) is stdout, refused when it is a terminal.",
                               valueName: "PATH|-"))
    var out: String = "-"
    @Flag(help: "Wait for a blob newer than the current one (or than --after).") var wait = false
    @Option(help: ArgumentHelp("Return a blob newer than this sequence number, waiting if needed.", valueName: "SEQ"))
    var after: UInt64?
    @Option(help: ArgumentHelp("Give up waiting after this many seconds (default: wait for ever).", valueName: "SECONDS"))
    var timeout: Double?

    public init() {}

    public mutating func validate() throws {
        if let timeout, !(timeout >= 0 && timeout < 1e9) {
            throw ValidationError("--timeout must be a number of seconds, 0 or more")
        }
    }

    public func run() throws {
        if out == "-" && Output.isTerminal(1) {
            throw CommandError.usage("refusing to write binary content to a terminal; use --out PATH or redirect stdout")
        }
        let received = try Receiver.receive(
            from: try segment.backing(), wait: wait, after: after,
            timeout: timeout.map { .nanoseconds(Int64($0 * 1e9)) })
        if out == "-" {
            try received.content.withUnsafeBytes { raw in try Output.bytes(raw) }
        } else {
            try Files.writeAtomically(received.content, to: out)
        }
        Output.info("path: \(TerminalText.escape(received.path))")
        Output.info("bytes: \(received.content.count)")
        Output.info("sha256: \(received.sha256)")
        Output.info("sequence: \(received.metadata.sequence)")
    }
}
