import BlobTransfer
import ImagePreview
import SafeText

/// What the commands themselves refuse (the services and the engine have their own
/// error types; ``Failure/classify(_:)`` maps them all).
public enum CommandError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A bad combination of options or values.
    case usage(String)
    /// An app was started without a terminal; `hint` is the scriptable command.
    case needsTerminal(app: String, hint: String)
    /// ncurses does not know `TERM`.
    case unknownTerminal(String)
    /// Content that has no preview.
    case noPreview(path: String, kind: String, bytes: Int)
    /// A file larger than `preview` reads.
    case tooLargeToPreview(path: String, bytes: Int, limit: Int)
    /// `get --out DIR` of a blob whose label gives no file name that is safe to create.
    case noFileName(label: String, directory: String)

    /// The sentence printed after `Error: `.
    public var description: String {
        switch self {
        case let .usage(message):
            return message
        case let .needsTerminal(app, hint):
            return "\(app) needs a terminal; for scripts use \(hint)"
        case let .unknownTerminal(term):
            return "unknown terminal type '\(TerminalText.escape(term))' (set TERM, e.g. TERM=xterm-256color)"
        case let .tooLargeToPreview(path, bytes, limit):
            return "'\(TerminalText.escape(path))' is \(ByteCount.human(bytes)), over the \(ByteCount.human(limit)) that preview reads"
        case let .noFileName(label, directory):
            let what = label.isEmpty ? "raw bytes, which have no file name" : "labelled '\(TerminalText.escape(label))', which gives no safe file name"
            return "the blob is \(what); give the name too: --out '\(TerminalText.escape(directory))/NAME'"
        case let .noPreview(path, kind, bytes):
            return "'\(TerminalText.escape(path))' is \(kind) (\(bytes) bytes): no preview (PNG and JPEG only)"
        }
    }
}
