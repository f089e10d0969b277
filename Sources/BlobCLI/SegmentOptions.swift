import ArgumentParser
import BlobTransfer

/// `--segment NAME` / `--file PATH`: which segment a command works on.
public struct SegmentOptions: ParsableArguments {
    /// The POSIX shared-memory name (nil: the default, `shared-blob`).
    @Option(name: .long, help: ArgumentHelp(
        "Shared-memory segment name, /dev/shm/NAME (default: shared-blob).", valueName: "NAME"))
    public var segment: String?

    /// A regular file used as the segment instead.
    @Option(name: .customLong("file"), help: ArgumentHelp(
        "Use a regular file as the segment instead of /dev/shm (it survives a reboot).", valueName: "PATH"))
    public var file: String?

    public init() {}

    public func validate() throws {
        if segment != nil && file != nil {
            throw ValidationError("--segment and --file name two different segments; give one of them")
        }
    }

    /// The validated backing.
    public func backing() throws(TransferError) -> SegmentBacking {
        if let file {
            if file.isEmpty { throw .emptyPath(what: "--file") }
            return .file(file)
        }
        return .sharedMemory(try Segments.name(segment ?? SegmentName.default.rawValue))
    }
}

/// `--capacity SIZE`: bytes, or with a unit (`64MiB`, `512KiB`, `1GiB`; `MB` = 10^6).
public struct CapacityArgument: ExpressibleByArgument, Sendable {
    /// The capacity in bytes.
    public let bytes: Int

    public init?(argument: String) {
        guard let bytes = ByteCount.parse(argument) else { return nil }
        self.bytes = bytes
    }

    public static var defaultCompletionKind: CompletionKind { .list(["10MiB", "64MiB", "256MiB", "1GiB"]) }
}
