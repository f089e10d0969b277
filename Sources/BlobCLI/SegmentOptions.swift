import ArgumentParser
import BlobTransfer
import SafeText

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

    /// How the segment's bytes are laid out.
    @Option(help: ArgumentHelp(
        "Segment layout: blob (ours: header, two slots, checksum) or article (the C# article's: the frame or TestData at offset 0 of an exactly 10,485,760-byte mapping, nothing else).",
        valueName: "blob|article"))
    public var layout: SegmentFormat = .blob

    /// How long an article-layout read waits for the frame to stay the same.
    @Option(help: ArgumentHelp(
        "With --layout article, which has no checksum: take a frame only once its bytes stayed the same for this many milliseconds (default: 50; a writer pausing longer in mid-write cannot be ruled out).",
        valueName: "MS"))
    public var settle: Int?

    /// Shares new segments with a group (mode 0660) and accepts that group's write access.
    @Option(help: ArgumentHelp(
        "Share with this group: a new segment is created 0660 with it, and its members may write (default: private, 0600).",
        valueName: "GROUP"))
    public var group: String?

    /// Accepts segments that belong to this user.
    @Option(name: .customLong("trust-owner"), help: ArgumentHelp(
        "Accept a segment that belongs to this other user (default: only your own).", valueName: "USER"))
    public var trustOwner: String?

    public init() {}

    public func validate() throws {
        if segment != nil && file != nil {
            throw ValidationError("--segment and --file name two different segments; give one of them")
        }
        if let group, TrustPolicy.groupID(named: group) == nil {
            throw ValidationError("no group named '\(TerminalText.escape(group))'")
        }
        if let settle, !(0 ... 60_000).contains(settle) {
            throw ValidationError("--settle must be 0 to 60000 milliseconds")
        }
        if settle != nil && layout.operations.numbersBlobs {
            throw ValidationError("--settle applies to --layout article (our layout is verified by its checksum)")
        }
        if let trustOwner, TrustPolicy.userID(named: trustOwner) == nil {
            throw ValidationError("no user named '\(TerminalText.escape(trustOwner))'")
        }
    }

    /// The validated backing; also puts the trust choices in force for this process.
    public func backing() throws(TransferError) -> SegmentBacking {
        TrustPolicy.current = TrustPolicy(
            trustedOwners: Set(trustOwner.flatMap(TrustPolicy.userID(named:)).map { [$0] } ?? []),
            sharedGroup: group.flatMap(TrustPolicy.groupID(named:)))
        if let settle { ArticleTransfer.settle = .milliseconds(settle) }
        if let file {
            if file.isEmpty { throw .emptyPath(what: "--file") }
            return .file(file)
        }
        return .sharedMemory(try Segments.name(segment ?? SegmentName.default.rawValue))
    }
}

extension SegmentFormat: ExpressibleByArgument {}

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
