import ArgumentParser
import SharedMemory

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

    /// Creates the default options.
    public init() {}

    /// The validated backing.
    public func backing() throws(CLIError) -> SegmentBacking {
        if let file {
            if file.isEmpty { throw CLIError("the --file path is empty", exit: .usage) }
            return .file(file)
        }
        do throws(SharedMemoryError) {
            return .sharedMemory(try SegmentName(segment))
        } catch {
            throw CLIError(error)
        }
    }
}

/// Runs a command body, turning every failure into one `Error: ...` line and its status.
func runReporting(_ body: () throws(CLIError) -> Void) throws {
    do throws(CLIError) {
        try body()
    } catch {
        Output.error(error.message)
        throw ExitCode(error.exit.rawValue)
    }
}

/// Opens a segment, mapping engine errors to CLI errors.
func openSegment(_ backing: SegmentBacking, mode: BlobSegment.OpenMode, capacity: Int = BlobSegment.defaultCapacity,
                 force: Bool = false) throws(CLIError) -> BlobSegment {
    do throws(SharedMemoryError) {
        return try BlobSegment.open(backing, mode: mode, capacity: capacity, force: force)
    } catch {
        throw CLIError(error)
    }
}
