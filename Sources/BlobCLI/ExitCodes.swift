/// The exit statuses of both executables, one per kind of failure (sysexits.h values).
///
/// | status | meaning |
/// |---|---|
/// | 0  | success |
/// | 64 | usage error: bad option, bad segment name, binary output to a terminal |
/// | 65 | corrupt or foreign segment, checksum mismatch, undecodable blob |
/// | 66 | missing segment (or nothing published yet) |
/// | 67 | content too large for the segment |
/// | 69 | content that cannot be previewed (neither PNG nor JPEG) |
/// | 70 | internal error (writers kept the blob busy, unexpected system error) |
/// | 74 | I/O error: input file missing, unreadable or a directory; output not writable; no space |
/// | 75 | timed out waiting for a publish |
public enum BlobExit: Int32, Sendable {
    /// Success.
    case ok = 0
    /// Bad command line.
    case usage = 64
    /// Corrupt or foreign segment, or a blob that fails verification.
    case corrupt = 65
    /// No such segment, or nothing published yet.
    case missingSegment = 66
    /// Content larger than the segment's capacity.
    case tooLarge = 67
    /// Content of a format that has no preview.
    case unsupported = 69
    /// Internal error.
    case software = 70
    /// File I/O failed.
    case io = 74
    /// A wait timed out.
    case timedOut = 75
}
