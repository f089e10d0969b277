import SafeText
import SystemPackage

/// Everything the shared-memory engine can refuse, each with a sentence for the terminal.
public enum SharedMemoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A segment name breaks the naming rule.
    case invalidName(String, rule: String)
    /// No segment exists at the backing.
    case notFound(SegmentBacking)
    /// `createNew` found a segment already there.
    case alreadyExists(SegmentBacking)
    /// The object belongs to another user, or others may write it (``TrustPolicy``).
    case untrusted(SegmentBacking, reason: String)
    /// An object exists at the backing but it is not a SharedBlob segment (or not this version).
    case foreign(SegmentBacking, reason: String)
    /// The header's contents are inconsistent with the mapping (lengths or offsets outside it).
    case corrupt(SegmentBacking, reason: String)
    /// A payload's checksum did not match after a stable read.
    case checksumMismatch(sequence: UInt64, expected: UInt64, actual: UInt64)
    /// The payload does not fit the segment's capacity.
    case tooLarge(length: Int, capacity: Int)
    /// The requested capacity is not allowed.
    case invalidCapacity(Int, rule: String)
    /// The file system holding the segment is full.
    case noSpace(SegmentBacking, needed: Int)
    /// Waiting for a publish ran out of time.
    case timedOut(after: UInt64)
    /// Another process held the segment's lock for longer than the lock timeout.
    case lockTimedOut(SegmentBacking, holder: Int32?, waited: Duration)
    /// Writers kept replacing the slot being read; try again.
    case busy
    /// This thread already holds the segment's writer lock (an open ``SlotLoan``) and
    /// asked for it again: commit or abandon the loan first.
    case lockHeldByThisThread(SegmentBacking)
    /// The object behind the mapping shrank while in use (another process truncated it).
    case shrunk(SegmentBacking)
    /// A streaming publish's producer wrote another amount than it announced (a file
    /// that shrank while being read); nothing was published.
    case incompletePayload(expected: Int, written: Int)
    /// A system call failed.
    case system(call: String, errno: Errno, backing: SegmentBacking?)

    /// One human sentence.
    public var description: String {
        switch self {
        case let .invalidName(name, rule):
            return "invalid segment name '\(TerminalText.escape(name))': \(rule)"
        case let .notFound(backing):
            return "\(backing) does not exist"
        case let .alreadyExists(backing):
            return "\(backing) already exists"
        case let .untrusted(backing, reason):
            return "\(backing) is not trusted: \(reason)"
        case let .foreign(backing, reason):
            return "\(backing) is not a SharedBlob segment: \(reason)"
        case let .corrupt(backing, reason):
            return "\(backing) is corrupt: \(reason)"
        case let .checksumMismatch(sequence, expected, actual):
            return "blob \(sequence) failed its checksum (expected \(TerminalText.hex16(expected)), got \(TerminalText.hex16(actual)))"
        case let .tooLarge(length, capacity):
            return "content too large: the payload is \(length) bytes, the segment holds at most \(capacity)"
        case let .invalidCapacity(value, rule):
            return "invalid capacity \(value): \(rule)"
        case let .noSpace(backing, needed):
            return "no space left to create \(backing) (\(needed) bytes needed)"
        case let .timedOut(after):
            return "timed out waiting for a blob newer than sequence \(after)"
        case let .lockTimedOut(backing, holder, waited):
            let who = holder.map { "process \($0)" } ?? "another process"
            return "\(backing) stayed locked by \(who) for \(waited.formatted); a writer should hold it only while it publishes"
                + " (if that process hangs, stop it; or wait longer with --lock-timeout SECONDS)"
        case let .incompletePayload(expected, written):
            return "the content changed while being published (\(written) of \(expected) bytes arrived); nothing was published, try again"
        case let .lockHeldByThisThread(backing):
            return "this thread already holds \(backing)'s writer lock (a loan not yet committed or abandoned)"
        case .busy:
            return "writers kept replacing the blob while it was being read; try again"
        case let .shrunk(backing):
            return "\(backing) shrank while in use (another process truncated it); nothing was read or published from it"
        case let .system(call, errno, backing):
            let what = backing.map { " on \($0)" } ?? ""
            return "\(call)\(what) failed: \(errno)"
        }
    }
}

extension Duration {
    /// "250 ms", "10 s".
    var formatted: String {
        let ms = components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000
        return ms < 1000 ? "\(ms) ms" : ms % 1000 == 0 ? "\(ms / 1000) s" : "\(Double(ms) / 1000) s"
    }
}
