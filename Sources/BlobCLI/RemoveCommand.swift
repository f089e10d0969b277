import ArgumentParser
import BlobTransfer

/// `blob-writer rm`: removes the segment.
public struct RemoveCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove the shared-memory segment.")

    @OptionGroup var segment: SegmentOptions
    @Flag(help: "Remove the object even if it is not a valid segment.") var force = false

    public init() {}

    public func run() throws {
        let backing = try segment.backing()
        try Segments.remove(backing, format: segment.layout, force: force)
        Output.line("removed \(backing)")
    }
}
