import ArgumentParser
import BlobTransfer
import SafeText

/// `blob-writer put FILE`: frames a file's absolute path and bytes and publishes them.
public struct PutCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "put",
        abstract: "Publish a file into the shared-memory segment.",
        discussion: "Prints the sequence number and byte count, then the SHA-256 as sha256sum prints it.")

    @Argument(help: "The file to publish.") var file: String
    @OptionGroup var segment: SegmentOptions
    @Option(help: ArgumentHelp("Payload capacity when the segment is created (bytes; default 10 MiB).", valueName: "BYTES"))
    var capacity: Int = Segments.defaultCapacity
    @Flag(help: "Re-initialize an existing object that is not a valid segment.") var force = false

    public init() {}

    public func run() throws {
        let published = try Publisher.publish(file: file, to: try segment.backing(), capacity: capacity, force: force)
        Output.line("published sequence \(published.sequence): \(published.contentLength) bytes")
        Output.line("\(published.sha256)  \(TerminalText.escape(published.path))")
    }
}
