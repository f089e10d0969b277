import SafeText

/// A validated POSIX shared-memory object name (without the leading slash).
///
/// Rule: 1 to 250 characters, each a letter, digit, `.`, `_` or `-`; not `.` or `..`.
public struct SegmentName: Hashable, Sendable, CustomStringConvertible {
    /// The name used when no `--segment` is given.
    public static let `default` = SegmentName(unchecked: "shared-blob")
    /// The longest name accepted.
    public static let maxLength = 250
    /// The rule as one sentence, for errors.
    public static let rule = "names are 1 to \(maxLength) characters of letters, digits, '.', '_' or '-'"

    /// The name as given.
    public let rawValue: String

    /// Validates a name.
    ///
    /// - Throws: ``SharedMemoryError/invalidName(_:rule:)`` naming the rule it breaks.
    public init(_ name: String) throws(SharedMemoryError) {
        if name.isEmpty { throw .invalidName(name, rule: "the name is empty; " + Self.rule) }
        if name.contains("/") { throw .invalidName(name, rule: "it contains '/'; " + Self.rule) }
        if name.utf8.count > Self.maxLength {
            throw .invalidName(String(name.prefix(40)) + "...", rule: "it is \(name.utf8.count) bytes long; " + Self.rule)
        }
        if name == "." || name == ".." { throw .invalidName(name, rule: "'.' and '..' are reserved; " + Self.rule) }
        for byte in name.utf8 {
            let ok = (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
            if !ok { throw .invalidName(name, rule: "it contains a character outside the rule; " + Self.rule) }
        }
        rawValue = name
    }

    private init(unchecked: String) { rawValue = unchecked }

    /// The name.
    public var description: String { rawValue }
}

/// Where a segment lives: a POSIX shared-memory object or a regular file.
public enum SegmentBacking: Hashable, Sendable, CustomStringConvertible {
    /// `/dev/shm/NAME`, gone at reboot.
    case sharedMemory(SegmentName)
    /// A regular file, so the last blob survives a reboot (like .NET's CreateFromFile).
    case file(String)

    /// "segment 'NAME'" or "segment file 'PATH'".
    public var description: String {
        switch self {
        case let .sharedMemory(name): return "segment '\(name)'"
        case let .file(path): return "segment file '\(TerminalText.escape(path))'"
        }
    }
}
