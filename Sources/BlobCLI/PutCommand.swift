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
    @Option(help: ArgumentHelp("Give up when another writer holds the segment's lock this long (default: 10).",
                               valueName: "SECONDS"))
    var lockTimeout: Double?

    public func validate() throws {
        if let lockTimeout, !(lockTimeout > 0 && lockTimeout < 1e6) {
            throw ValidationError("--lock-timeout must be a number of seconds above 0")
        }
    }

    public init() {}

    public func run() throws {
        let published = try Publisher.publish(file: file, to: try segment.backing(), format: segment.layout,
                                              capacity: capacity?.bytes, force: force,
                                              lockTimeout: lockTimeout.map { .milliseconds(Int64($0 * 1000)) } ?? Segments.defaultLockTimeout)
        Output.line("published \(segment.layout.operations.landedFile(sequence: published.sequence)): \(published.contentLength) bytes")
        Output.line(TerminalText.sha256sumLine(hash: published.sha256, path: published.path))
    }
}
