/// The exit statuses of both executables, one per kind of failure (sysexits.h values).
/// docs/commands.md's table is this list; a test compares them.
public enum ExitStatus: Int32, CaseIterable, Sendable {
    case success = 0
    case differ = 1
    case usage = 64
    case corrupt = 65
    case missing = 66
    case tooLarge = 67
    case unavailable = 69
    case software = 70
    case io = 74
    case timedOut = 75
    case untrusted = 77

    /// What the status means, as docs/commands.md's table says it.
    public var meaning: String {
        switch self {
        case .success: return "success"
        case .differ: return "`compare`: the pictures differ (different pixels or dimensions); 0 means identical bytes or same pixels"
        case .usage: return "usage: bad option, bad segment name, empty path, binary output to a terminal, an app started without a terminal or with an unknown `TERM`"
        case .corrupt: return "corrupt or foreign segment, checksum mismatch, blob that is not a valid frame or not of the kind asked for, invalid image data or an image over the pixel limit or the memory budget"
        case .missing: return "no such segment, or nothing published yet"
        case .tooLarge: return "content too large for the segment (refused before the segment is touched)"
        case .unavailable: return "content that cannot be previewed (neither PNG nor JPEG; the message names what it looks like); the demo's child program missing or failing"
        case .software: return "internal error (e.g. writers kept replacing the blob during 10,000 read attempts)"
        case .io: return "I/O error: input missing, unreadable or a directory; output not writable; no space; a system call failed"
        case .timedOut: return "timed out: waiting for a publish, for a writer's lock (`--lock-timeout`), or for a FIFO's reader to take more"
        case .untrusted: return "the segment or `--file` object belongs to another user, or others may write it (accepted only with `--trust-owner USER` or `--group GROUP`); an output FIFO or device another user could have planted, or that was swapped while being opened"
        }
    }

    /// docs/commands.md's table, row by row.
    public static var markdownTable: String {
        (["| status | meaning |", "|---|---|"] + allCases.map { "| \($0.rawValue) | \($0.meaning) |" })
            .joined(separator: "\n")
    }
}
