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
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Capacity per blob when the segment is created: bytes or 64MiB, 512KiB, 1GiB (default: 10MiB).",
        valueName: "SIZE"))
    var capacity: CapacityArgument?
    @Flag(help: "Re-initialize an existing object that is not a valid segment.") var force = false

    public init() {}

    public func run() throws {
        let published = try Publisher.publish(file: file, to: try segment.backing(), capacity: capacity?.bytes, force: force)
        Output.line("published sequence \(published.sequence): \(published.contentLength) bytes")
        Output.line(TerminalText.sha256sumLine(hash: published.sha256, path: published.path))
    }
}
