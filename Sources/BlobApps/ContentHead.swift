import ImagePreview
import SafeText

/// What a file that is not a previewable image shows instead: its first lines as text
/// when they are valid UTF-8 without NUL bytes, else a hex dump, like ranger and lf.
public enum ContentHead: Equatable, Sendable {
    /// Lines of text, control characters escaped, tabs expanded.
    case text([String])
    /// Hex dump lines: offset, bytes, printable ASCII.
    case hex([String])

    /// What content is, in the words the apps use: the image format ("PNG", "JPEG"),
    /// "text" (valid UTF-8 without NUL bytes in its first 64 KiB), else "binary data".
    /// The one place that names content that is not an image.
    public static func kindName(of bytes: [UInt8]) -> String {
        let format = ImageFormat.detect(bytes)
        if format != .unknown { return format.rawValue }
        return utf8Text(Array(bytes.prefix(readLimit))) != nil ? "text" : "binary data"
    }

    /// How many bytes of a file a head needs at most.
    static let readLimit = 64 * 1024

    /// The head of `bytes` for a box of `columns` x `rows`.
    static func of(_ bytes: [UInt8], columns: Int, rows: Int) -> ContentHead {
        if let text = utf8Text(bytes) {
            var lines = [String]()
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(rows) {
                let expanded = line.replacingTabs()
                lines.append(TerminalText.escape(String(expanded.prefix(columns * 2))))
            }
            return .text(lines)
        }
        let perLine = columns >= 78 ? 16 : 8
        var lines = [String]()
        var offset = 0
        while offset < bytes.count && lines.count < rows {
            let chunk = bytes[offset ..< min(offset + perLine, bytes.count)]
            var hex = ""
            for (i, b) in chunk.enumerated() {
                if i == 8 { hex += " " }
                hex += hex2(b) + " "
            }
            let width = perLine * 3 + (perLine > 8 ? 1 : 0)
            hex += String(repeating: " ", count: max(0, width - hex.count))
            let ascii = String(chunk.map { $0 >= 0x20 && $0 < 0x7F ? Character(Unicode.Scalar($0)) : "." })
            lines.append(hex8(offset) + "  " + hex + " |" + ascii + "|")
            offset += perLine
        }
        return .hex(lines)
    }

    /// The bytes as text if they are UTF-8 (a character cut at the end is allowed) with
    /// no NUL byte; nil for binary content.
    static func utf8Text(_ bytes: [UInt8]) -> String? {
        if bytes.contains(0) { return nil }
        for cut in 0 ... min(3, bytes.count) {
            if let s = String(validating: bytes[0 ..< bytes.count - cut], as: UTF8.self) { return s }
        }
        return nil
    }

    private static func hex2(_ b: UInt8) -> String {
        let s = String(b, radix: 16)
        return s.count == 1 ? "0" + s : s
    }

    private static func hex8(_ n: Int) -> String {
        let s = String(n, radix: 16)
        return String(repeating: "0", count: max(0, 8 - s.count)) + s
    }
}

extension Substring {
    fileprivate func replacingTabs() -> String {
        var out = ""
        for c in self { if c == "\t" { out += String(repeating: " ", count: 4 - out.count % 4) } else { out.append(c) } }
        return out
    }
}
