import ArgumentParser
import BlobTransfer

/// `--segment NAME` / `--file PATH`: which segment a command works on.
public struct SegmentOptions: ParsableArguments {
    /// The POSIX shared-memory name.
    @Option(name: .long, help: ArgumentHelp(
        "Shared-memory segment name (/dev/shm/NAME).", valueName: "NAME"))
    public var segment: String = SegmentName.default.rawValue

    /// A regular file used as the segment instead.
    @Option(name: .customLong("file"), help: ArgumentHelp(
        "Use a regular file as the segment instead of /dev/shm (it survives a reboot).", valueName: "PATH"))
    public var file: String?

    public init() {}

    /// The validated backing.
    public func backing() throws(TransferError) -> SegmentBacking {
        if let file {
            if file.isEmpty { throw .emptyPath(what: "--file") }
            return .file(file)
        }
        return .sharedMemory(try Segments.name(segment))
    }
}
