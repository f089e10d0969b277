import BlobCodec
import SafeText
import SharedMemory
import SystemPackage

/// A file too large for a segment, with what a remedy needs.
public struct TooLargeFile: Equatable, Sendable {
    /// The file as the user named it.
    public var file: String
    /// Its size.
    public var contentLength: Int
    /// Its frame's size (content plus path label plus 8).
    public var frameLength: Int
    /// The segment's (or a new segment's) capacity.
    public var capacity: Int
    /// The segment.
    public var backing: SegmentBacking
    /// Whether the segment exists (recreate it) or would be created (ask for more).
    public var segmentExists: Bool
}

/// Everything the services refuse, each case saying what was wrong and where, with
/// one sentence for the terminal (untrusted text already escaped). Which exit status
/// each case means is decided once, by the commands (`BlobCLI`'s `ExitStatus`).
public enum TransferError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A path argument is empty (`what`: "file", "output").
    case emptyPath(what: String)
    /// An input file cannot be opened, checked or read.
    case cannotRead(path: String, errno: Errno)
    /// An input names a directory.
    case isDirectory(path: String)
    /// An input is a device, FIFO or socket.
    case notRegularFile(path: String)
    /// A directory argument is not one.
    case notADirectory(path: String)
    /// An output file cannot be written.
    case cannotWrite(path: String, errno: Errno)
    /// An existing FIFO or device as output that someone else could have planted (theirs,
    /// or in a folder others may change): not opened.
    case untrustedOutput(path: String, reason: String)
    /// The output was swapped for another object (a link, another FIFO) between its
    /// inspection and its opening: not written.
    case outputChanged(path: String)
    /// The output is a FIFO no process reads.
    case noReader(path: String)
    /// The output (a FIFO or device) accepted nothing for `seconds`.
    case outputStalled(path: String, seconds: Double)
    /// The output exists and replacing it was not asked for.
    case outputExists(path: String)
    /// The frame (path label + content) does not fit the segment.
    case frameTooLarge(length: Int, capacity: Int)
    /// A file does not fit the segment: its size, the capacity and how to make room.
    case fileTooLarge(TooLargeFile)
    /// `--capacity` asks for another capacity than the existing segment has.
    case capacityMismatch(SegmentBacking, existing: Int, requested: Int)
    /// `rm` of a segment that does not exist.
    case nothingToRemove(SegmentBacking)
    /// The engine refused (missing, foreign or corrupt segment, checksum, timeout...).
    case segment(SharedMemoryError)
    /// The verified payload is not a valid ImageData frame.
    case invalidFrame(BlobCodecError)
    /// An article-layout segment's offset 0 holds no ImageData frame: its lengths are
    /// wrong (the error), or its "path" has control bytes (nil: a TestData record?).
    case notAnArticleFrame(BlobCodecError?)
    /// The segment exists but nothing was published; `hint` is the writer's subcommand
    /// that would publish what was asked for (`put FILE`, `put-struct`), for a
    /// command-line remedy.
    case nothingPublished(SegmentBacking, hint: String)
    /// The latest blob is a record where a file was asked for.
    case notAFile(found: BlobKind)
    /// The latest blob is not a TestData record.
    case notATestDataRecord(found: BlobKind)
    /// A TestData payload of the wrong size.
    case recordSize(actual: Int, expected: Int)
    /// Record values that break the layout (e.g. the wrong number of scores).
    case invalidRecord(String)
    /// No record layout of that name.
    case unknownLayout(String, known: [String])

    /// The problem, in the library's terms (a command line adds its own remedy: see
    /// `BlobCLI`'s `Remedy`).
    public var description: String {
        switch self {
        case let .emptyPath(what):
            return "the \(what) path is empty"
        case let .cannotRead(path, errno):
            return "cannot read '\(TerminalText.escape(path))': \(errno)"
        case let .isDirectory(path):
            return "'\(TerminalText.escape(path))' is a directory, not a file"
        case let .notRegularFile(path):
            return "'\(TerminalText.escape(path))' is not a regular file"
        case let .notADirectory(path):
            return "'\(TerminalText.escape(path))' is not a directory"
        case let .cannotWrite(path, errno):
            return "cannot write '\(TerminalText.escape(path))': \(errno)"
        case let .untrustedOutput(path, reason):
            return "not writing to '\(TerminalText.escape(path))': \(reason) (another user could have planted it to "
                + "receive your content); write to a regular file in a folder of yours, or remove it first"
        case let .outputChanged(path):
            return "not writing to '\(TerminalText.escape(path))': it was replaced while being opened (another user may be "
                + "racing you); write to a folder only you can change"
        case let .noReader(path):
            return "'\(TerminalText.escape(path))' is a FIFO that no process is reading; start its reader first "
                + "(e.g. cat '\(TerminalText.escape(path))' > copy) or write to a regular file"
        case let .outputStalled(path, seconds):
            return "'\(TerminalText.escape(path))' accepted nothing for \(Int(seconds)) s (its reader stopped reading); gave up"
        case let .outputExists(path):
            return "'\(TerminalText.escape(path))' exists; not replaced"
        case let .frameTooLarge(length, capacity):
            return "content too large: the frame is \(length) bytes, the segment holds at most \(capacity)"
        case let .fileTooLarge(t):
            let name = TerminalText.escape(t.file)
            // When the file alone would fit, the path label is what tips it over: say so.
            let size = t.contentLength <= t.capacity
                ? "\(ByteCount.human(t.contentLength)), \(t.frameLength) bytes with its path label"
                : ByteCount.human(t.contentLength)
            let holds = t.contentLength <= t.capacity ? "\(t.capacity) bytes" : ByteCount.human(t.capacity)
            if t.segmentExists {
                return "'\(name)' is \(size); \(t.backing) holds \(holds) per blob"
            }
            return "'\(name)' is \(size); a new segment holds \(holds) per blob unless told otherwise"
        case let .capacityMismatch(backing, existing, requested):
            return "\(backing) holds \(ByteCount.human(existing)) per blob, not the \(ByteCount.human(requested)) asked for"
        case let .nothingToRemove(backing):
            return "\(backing) does not exist: nothing to remove"
        case let .segment(.notFound(backing)):
            return "\(backing) does not exist yet"
        case let .segment(.untrusted(backing, reason)):
            return "\(backing) is not trusted: \(reason). Another user could read what you publish there and forge "
                + "what you read"
        case let .segment(.foreign(backing, reason)):
            return "\(backing) is not a SharedBlob segment: \(reason)"
        case let .segment(error):
            return error.description
        case let .invalidFrame(error):
            return "the published blob is not a valid ImageData frame: \(error)"
        case let .notAnArticleFrame(error):
            let why = error.map { "\($0)" } ?? "its path label has control bytes"
            return "offset 0 holds no ImageData frame (\(why)); if the article's writer stored a TestData record there, "
                + "read it with get-struct --layout article"
        case let .nothingPublished(backing, _):
            return "\(backing) holds no blob yet"
        case let .notAFile(found):
            return "the latest blob is a \(found.name) record, not a file (use get-struct)"
        case let .notATestDataRecord(found):
            return "the latest blob is \(found == .imageData ? "a file" : "a \(found.name) record"), not a TestData record (use get)"
        case let .recordSize(actual, expected):
            return "the TestData record is \(actual) bytes, expected \(expected)"
        case let .invalidRecord(reason):
            return reason
        case let .unknownLayout(name, known):
            return "no record layout named '\(TerminalText.escape(name))' (known: \(known.joined(separator: ", ")))"
        }
    }

    /// Whether the segment (or file) belongs to someone else or is writable by others.
    public var isUntrusted: Bool {
        if case .segment(.untrusted) = self { return true }
        return false
    }

    /// Whether the segment itself is missing (the reader shows its friendly screen).
    public var segmentIsMissing: Bool {
        if case .segment(.notFound) = self { return true }
        return false
    }
}
