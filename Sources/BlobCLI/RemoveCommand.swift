import ArgumentParser
import SharedMemory

/// `blob-writer rm`: removes the segment.
public struct RemoveCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "rm", abstract: "Remove the shared-memory segment.")

    @OptionGroup var segment: SegmentOptions
    @Flag(help: "Remove the object even if it is not a valid segment.") var force = false

    public init() {}

    public func run() throws {
        try runReporting { () throws(CLIError) in
            let backing = try segment.backing()
            do throws(SharedMemoryError) {
                try BlobSegment.remove(backing, force: force)
            } catch {
                throw CLIError(error)
            }
            Output.line("removed \(backing)")
        }
    }
}
