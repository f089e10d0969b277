/// tmux's passthrough: `ESC P tmux; … ESC \` with every ESC inside doubled, which tmux
/// (with `allow-passthrough on`) writes to the outer terminal as it is. tmux does not
/// know what the outer terminal then draws: it neither moves its cursor for the image
/// nor keeps it when it redraws the pane; ``reserve(rows:)`` and ``leave(rows:)`` keep
/// tmux's cursor and the image in step.
public enum Passthrough {
    /// The longest sequence tmux 3.3a passes through: it drops one it cannot buffer
    /// (measured in xterm: a 944 kB sixel drawn, a 1.5 MB one dropped, nothing shown).
    public static let limit = 1_000_000

    /// Each escape sequence in `bytes` (each ends at ST, `ESC \`, or BEL for OSC) wrapped
    /// on its own, so kitty's 4 kB chunks travel as separate passthroughs. Nil when one
    /// wrapped sequence would be longer than ``limit`` (tmux would drop it).
    public static func tmux(_ bytes: [UInt8]) -> [UInt8]? {
        var out = [UInt8]()
        out.reserveCapacity(bytes.count + bytes.count / 64 + 64)
        var piece = [UInt8]()
        func flush() -> Bool {
            guard !piece.isEmpty else { return true }
            var wrapped: [UInt8] = [0x1B, 0x50] + Array("tmux;".utf8)
            for b in piece {
                if b == 0x1B { wrapped.append(0x1B) }
                wrapped.append(b)
            }
            wrapped += [0x1B, 0x5C]
            piece.removeAll(keepingCapacity: true)
            guard wrapped.count <= limit else { return false }
            out += wrapped
            return true
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            // Text between sequences goes to tmux itself, not through.
            if piece.isEmpty && b != 0x1B { out.append(b); continue }
            piece.append(b)
            let endsAtST = b == 0x5C && piece.count >= 2 && piece[piece.count - 2] == 0x1B
            let endsOSC = b == 0x07 && piece.starts(with: [0x1B, 0x5D])
            if (endsAtST || endsOSC), !flush() { return nil }
        }
        // An unterminated sequence is passed through as it is (the terminal ends it).
        return flush() ? out : nil
    }

    /// Before a passed-through image `rows` cells tall: newlines make room (tmux scrolls
    /// the pane, not the outer terminal the whole screen), then the cursor goes back up
    /// to the first of those rows, where the image is drawn.
    public static func reserve(rows: Int) -> String {
        rows <= 0 ? "" : String(repeating: "\n", count: rows) + "\u{1b}[\(rows)A"
    }

    /// After it: tmux's cursor to the line below the image (the outer terminal's cursor
    /// moved with the image; tmux puts it back where it thinks it is).
    public static func leave(rows: Int) -> String {
        rows <= 0 ? "" : "\u{1b}[\(rows)B\r"
    }
}

/// What tmux says about the pane a program runs in and the terminal tmux itself runs in
/// (`tmux display-message -p` with ``format``; asked by ``TerminalQuery/askTmux(pane:)``).
public struct TmuxPane: Equatable, Sendable {
    /// The pane's `allow-passthrough` is on (or `all`).
    public var allowsPassthrough: Bool
    /// The outer terminal as tmux identified it (`client_termtype`, from the terminal's
    /// answer to XTVERSION), e.g. "XTerm(379)" or "kitty(0.32.2)"; empty when unknown.
    public var terminal: String

    public init(allowsPassthrough: Bool, terminal: String) {
        self.allowsPassthrough = allowsPassthrough
        self.terminal = terminal
    }

    /// The format asked for: the option's value, a separator, the terminal type.
    public static let format = "#{allow-passthrough}|#{client_termtype}"

    /// Parses the answer to ``format`` (tmux 3.3 prints `1`/`0`, 3.4 `on`/`off`/`all`).
    /// Nil when it is not one (an older tmux prints the format's names unexpanded).
    public static func parse(_ text: String) -> TmuxPane? {
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).first ?? ""
        guard let bar = line.firstIndex(of: "|") else { return nil }
        let option = line[..<bar].lowercased()
        guard ["1", "0", "on", "off", "all"].contains(option) else { return nil }
        let terminal = String(line[line.index(after: bar)...].unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F })
        return TmuxPane(allowsPassthrough: ["1", "on", "all"].contains(option), terminal: String(terminal.prefix(80)))
    }

    /// The pixel protocol the outer terminal speaks, known from its name alone: kitty's for
    /// kitty and Ghostty, iTerm2's for iTerm2 and WezTerm, sixel for foot and mlterm (always
    /// on there). Nil for the rest — xterm draws sixel only when started as a VT340, which
    /// its name does not tell.
    public var pixelMode: GraphicsMode? {
        let name = terminal.lowercased()
        if name.hasPrefix("kitty") || name.hasPrefix("ghostty") { return .kitty }
        if name.hasPrefix("iterm2") || name.hasPrefix("wezterm") { return .iterm }
        if name.hasPrefix("foot") || name.hasPrefix("mlterm") { return .sixel }
        return nil
    }
}
