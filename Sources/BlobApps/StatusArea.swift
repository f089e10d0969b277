import TerminalUI

/// The bottom of both apps: the status message on the last row, or on the last two
/// (over the key hints) when it needs them; longer still, it ends with "(m: all)" and
/// `m` shows it whole. Nothing is cut silently.
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
        if lines.count == 2 {
            s.put(lines[1], x: 0, y: s.height - 1, style: style)
            return true
        }
        let rest = lines.dropFirst().joined(separator: " ")
        s.put(TextFit.head(rest, s.width - more.count, ascii: ascii) + more, x: 0, y: s.height - 1, style: style)
        return false
    }

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
