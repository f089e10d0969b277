import TerminalUI

/// The bottom of both apps: the status message on the last row, or on the last two
/// (over the key hints, "? keys" kept at the end) when it needs them; longer still, it
/// ends with "(m: all)" and `m` shows it whole. Nothing is cut silently.
enum StatusArea {
    /// The note that ends a message cut after two rows.
    static let more = " (m: all)"

    /// Draws `text` on the last row, or the last two when `rows` allows and it needs
    /// them; true when it was shown whole.
    @discardableResult
    static func draw(_ text: String, style: Style, into s: inout Screen, ascii: Bool, rows: Int = 2) -> Bool {
        let lines = TextFit.wrap(text, s.width)
        if lines.count <= 1 {
            s.put(lines.first ?? "", x: 0, y: s.height - 1, style: style)
            return true
        }
        if rows < 2 {
            s.put(TextFit.head(text, s.width - more.count, ascii: ascii) + more, x: 0, y: s.height - 1, style: style)
            return false
        }
        s.fill(x: 0, y: s.height - 2, width: s.width, height: 1, with: .blank)
        s.put(lines[0], x: 0, y: s.height - 2, style: style)
        // The key hints' row is taken: the last row keeps the way to them at its end.
        let room = s.width >= 30 ? s.width - TextFit.width(keysNote) : s.width
        if room < s.width { s.put(keysNote, x: room, y: s.height - 1, style: Style(dim: true)) }
        let rest = lines.dropFirst().joined(separator: " ")
        if TextFit.width(rest) <= room {
            s.put(rest, x: 0, y: s.height - 1, style: style)
            return true
        }
        s.put(TextFit.head(rest, room - more.count, ascii: ascii) + more, x: 0, y: s.height - 1, style: style)
        return false
    }

    /// What ends a two-row message's last row, where the key hints were (30 columns and up).
    static let keysNote = "  ? keys"

    /// The first of `hints` (longest first) that fits `width`, else the last one
    /// shortened with an ellipsis: key hints are never cut silently.
    static func hints(_ hints: [String], width: Int, ascii: Bool) -> String {
        hints.first { TextFit.width($0) <= width } ?? TextFit.head(hints.last ?? "", width, ascii: ascii)
    }

    /// The whole message in a box (any key closes it).
    static func drawWhole(_ text: String, into s: inout Screen) {
        HelpOverlay.draw(into: &s, lines: TextFit.wrap(text, max(10, s.width - 8)), title: "message")
    }
}

/// A state with a status line: what both apps say after each action.
protocol StatusReporting {
    var status: String { get set }
    var statusIsError: Bool { get set }
}

extension StatusReporting {
    /// Shows a plain message.
    mutating func setStatus(_ message: String) {
        status = message
        statusIsError = false
    }

    /// Shows `Error: message`, highlighted.
    mutating func setError(_ message: String) {
        status = "Error: " + message
        statusIsError = true
    }
}

extension WriterState: StatusReporting {}
extension ReaderState: StatusReporting {}
