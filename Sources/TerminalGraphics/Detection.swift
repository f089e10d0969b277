import ImagePreview

/// How a preview reaches the terminal.
public enum GraphicsMode: String, CaseIterable, Sendable {
    /// Pick the best the terminal supports (``GraphicsDetection/choose(environment:answers:stdoutIsTerminal:)``).
    case auto
    /// kitty's graphics protocol (kitty, Ghostty, WezTerm, Konsole).
    case kitty
    /// DEC sixel (xterm -ti vt340, foot, mlterm, WezTerm, Windows Terminal).
    case sixel
    /// iTerm2's inline images (iTerm2, WezTerm).
    case iterm
    /// Coloured half blocks (truecolor, 256, 16 or 8 colours).
    case blocks
    /// 7-bit characters, no escape codes.
    case ascii

    /// Whether the mode draws real pixels.
    public var isPixels: Bool { self == .kitty || self == .sixel || self == .iterm }
}

/// What the terminal answered to the queries (all optional: a terminal may stay silent).
public struct TerminalAnswers: Equatable, Sendable {
    /// Primary device attributes (DA1, `CSI ? Ps ; ... c`): 4 means sixel.
    public var attributes: [Int]?
    /// Whether kitty's graphics query (`a=q`) was answered OK.
    public var kittyGraphics = false
    /// XTVERSION's answer (`DCS > | text ST`), e.g. "XTerm(379)".
    public var version: String?
    /// The cell size in pixels from `CSI 16 t` (`CSI 6 ; height ; width t`).
    public var cellSize: (width: Int, height: Int)?

    public init(attributes: [Int]? = nil, kittyGraphics: Bool = false, version: String? = nil,
                cellSize: (width: Int, height: Int)? = nil) {
        self.attributes = attributes
        self.kittyGraphics = kittyGraphics
        self.version = version
        self.cellSize = cellSize
    }

    public static func == (a: Self, b: Self) -> Bool {
        a.attributes == b.attributes && a.kittyGraphics == b.kittyGraphics && a.version == b.version
            && a.cellSize?.width == b.cellSize?.width && a.cellSize?.height == b.cellSize?.height
    }
}

/// What to draw with, and why (for `--graphics auto`'s report).
public struct GraphicsChoice: Equatable, Sendable {
    public var mode: GraphicsMode
    /// For character modes: the colour depth.
    public var color: PreviewOptions.ColorDepth
    /// One line: which hint or answer decided.
    public var reason: String
    /// Pixels go through tmux's passthrough to the terminal tmux runs in (``Passthrough``).
    public var passthrough: Bool

    public init(mode: GraphicsMode, color: PreviewOptions.ColorDepth, reason: String, passthrough: Bool = false) {
        self.mode = mode
        self.color = color
        self.reason = reason
        self.passthrough = passthrough
    }
}

extension GraphicsChoice {
    /// Pixels through tmux's passthrough.
    init(mode: GraphicsMode, color: PreviewOptions.ColorDepth, passthroughReason: String) {
        self.init(mode: mode, color: color,
                  reason: passthroughReason + "; through tmux's passthrough, which allow-passthrough allows", passthrough: true)
    }
}

/// Deciding the output mode from the environment and the terminal's answers, and
/// parsing those answers. Pure functions: the queries themselves are ``TerminalQuery``.
public enum GraphicsDetection {
    /// The queries, DA1 last: every terminal answers it, so its answer ends the wait.
    /// kitty's query is a 1x1 image that is not stored (`a=q`).
    public static let query = kittyQuery + otherQueries
    static let kittyQuery = "\u{1b}_Gi=31,s=1,v=1,a=q,t=d,f=24;AAAA\u{1b}\\"
    static let otherQueries = "\u{1b}[16t" + "\u{1b}[>q" + "\u{1b}[c"

    /// The queries for this environment: inside tmux or screen without kitty's, which they
    /// would take for a window title (an APC string) and show in the status line.
    public static func query(environment env: [String: String]) -> String {
        let term = env["TERM"] ?? ""
        let multiplexer = env["TMUX"] != nil || term.hasPrefix("screen") || term.hasPrefix("tmux")
        return multiplexer ? otherQueries : query
    }

    /// The environment variables ``choose(environment:answers:)`` reads.
    public static let environmentVariables = ["TERM", "COLORTERM", "TMUX", "NO_COLOR", "KITTY_WINDOW_ID", "TERM_PROGRAM",
                                              "LANG", "LC_ALL", "LC_CTYPE"]

    /// Parses whatever the terminal sent back (in any order, possibly partial).
    public static func parse(_ bytes: [UInt8]) -> TerminalAnswers {
        var answers = TerminalAnswers()
        let s = String(decoding: bytes, as: UTF8.self)
        // DA1: ESC [ ? Ps ; Ps ... c
        if let r = s.firstRange(of: "\u{1b}[?"), let end = s[r.upperBound...].firstIndex(of: "c") {
            let body = s[r.upperBound ..< end]
            if body.allSatisfy({ $0.isNumber || $0 == ";" }) {
                answers.attributes = body.split(separator: ";").compactMap { Int($0) }
            }
        }
        // kitty: ESC _ G i=31;OK ESC \
        if let r = s.firstRange(of: "\u{1b}_Gi=31;") {
            answers.kittyGraphics = s[r.upperBound...].hasPrefix("OK")
        }
        // XTVERSION: ESC P > | text ESC \
        if let r = s.firstRange(of: "\u{1b}P>|"), let end = s[r.upperBound...].firstRange(of: "\u{1b}\\") {
            answers.version = String(s[r.upperBound ..< end.lowerBound].unicodeScalars.filter { $0.value >= 0x20 && $0.value < 0x7F })
        }
        // CSI 16 t: ESC [ 6 ; height ; width t
        if let r = s.firstRange(of: "\u{1b}[6;"), let end = s[r.upperBound...].firstIndex(of: "t") {
            let parts = s[r.upperBound ..< end].split(separator: ";").compactMap { Int($0) }
            if parts.count == 2, parts[0] > 0, parts[1] > 0, parts[0] < 1000, parts[1] < 1000 {
                answers.cellSize = (parts[1], parts[0])
            }
        }
        return answers
    }

    /// Whether the answers are complete: DA1 arrived (it is asked last).
    public static func isComplete(_ bytes: [UInt8]) -> Bool { parse(bytes).attributes != nil }

    /// The best mode for this terminal. Environment first (it cannot be wrong about
    /// tmux, NO_COLOR, a dumb terminal), then the answers (a terminal knows what it
    /// draws), then environment hints for terminals that did not answer.
    ///
    /// - Parameters:
    ///   - answers: nil when the terminal was not asked (stdout not a terminal).
    ///   - tmux: what tmux said about the pane (inside tmux, for the one-shot preview;
    ///     nil for the apps, which do not draw through passthrough).
    public static func choose(environment env: [String: String], answers: TerminalAnswers?,
                              tmux: TmuxPane? = nil) -> GraphicsChoice {
        let term = env["TERM"] ?? ""
        let characters = characterChoice(env)
        if env["NO_COLOR"].map({ !$0.isEmpty }) ?? false {
            return GraphicsChoice(mode: .ascii, color: .none, reason: "NO_COLOR is set")
        }
        if term.isEmpty || term == "dumb" { return GraphicsChoice(mode: .ascii, color: .none, reason: "TERM=\(term)") }
        if env["TMUX"] != nil || term.hasPrefix("screen") || term.hasPrefix("tmux") {
            // tmux answers DA1 itself: attribute 4 only when it draws sixel (3.4 and later,
            // built with sixel), so the image goes to tmux, which keeps it in the pane.
            if env["TMUX"] != nil, answers?.attributes?.contains(4) ?? false {
                return GraphicsChoice(mode: .sixel, color: .truecolor, reason: "tmux draws sixel (its device attributes include 4)")
            }
            if env["TMUX"] != nil, let tmux, tmux.allowsPassthrough, let mode = tmux.pixelMode {
                return GraphicsChoice(mode: mode, color: .truecolor, passthroughReason: "tmux runs in \(tmux.terminal)")
            }
            var c = characters
            c.reason = "inside tmux or screen without sixel" + (tmux.map { tmuxHint($0) } ?? "") + ": " + c.reason
            return c
        }
        if let answers {
            if answers.kittyGraphics { return GraphicsChoice(mode: .kitty, color: .truecolor, reason: "the terminal answered kitty's graphics query") }
            if answers.attributes?.contains(4) ?? false {
                return GraphicsChoice(mode: .sixel, color: .truecolor, reason: "the terminal's device attributes include sixel (4)")
            }
        }
        if env["KITTY_WINDOW_ID"] != nil || term == "xterm-kitty" || env["TERM_PROGRAM"] == "ghostty" {
            return GraphicsChoice(mode: .kitty, color: .truecolor, reason: "KITTY_WINDOW_ID, TERM=xterm-kitty or TERM_PROGRAM=ghostty")
        }
        if env["TERM_PROGRAM"] == "iTerm.app" || env["TERM_PROGRAM"] == "WezTerm" {
            return GraphicsChoice(mode: .iterm, color: .truecolor, reason: "TERM_PROGRAM=\(env["TERM_PROGRAM"]!)")
        }
        return characters
    }

    /// An explicitly asked mode, where it can be drawn: as asked outside tmux; inside tmux,
    /// sixel drawn by tmux itself when its device attributes include 4, else through
    /// passthrough when the pane allows it, else characters (tmux would drop the image),
    /// with the reason saying what to change.
    public static func resolve(_ asked: GraphicsMode, environment env: [String: String], answers: TerminalAnswers?,
                               tmux: TmuxPane?) -> GraphicsChoice {
        let plain = GraphicsChoice(mode: asked, color: asked == .ascii ? .none : .truecolor, reason: "asked for")
        guard asked.isPixels, env["TMUX"] != nil else { return plain }
        if asked == .sixel, answers?.attributes?.contains(4) ?? false { return plain }
        if let tmux, tmux.allowsPassthrough {
            return GraphicsChoice(mode: asked, color: .truecolor, passthroughReason: "asked for")
        }
        var c = characterChoice(env)
        c.reason = "\(asked.rawValue) asked for, but tmux would drop it" + (tmux.map { tmuxHint($0) } ?? " (tmux did not answer)")
            + ": " + c.reason
        return c
    }

    /// What would let images through this tmux pane.
    static func tmuxHint(_ tmux: TmuxPane) -> String {
        if !tmux.allowsPassthrough { return " (`tmux set -g allow-passthrough on` lets images through)" }
        let name = tmux.terminal.isEmpty ? "an unidentified terminal" : tmux.terminal
        return " (passthrough is on, but tmux runs in \(name): --graphics sixel|kitty|iterm picks a protocol)"
    }

    /// Character output for the environment: blocks in the deepest colour the terminal
    /// says it has (COLORTERM, then TERM), ASCII without a UTF-8 locale.
    static func characterChoice(_ env: [String: String]) -> GraphicsChoice {
        let term = env["TERM"] ?? ""
        let locale = env["LC_ALL"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LC_CTYPE"].flatMap { $0.isEmpty ? nil : $0 } ?? env["LANG"] ?? ""
        let utf8 = locale.uppercased().contains("UTF-8") || locale.uppercased().contains("UTF8")
        if !utf8 { return GraphicsChoice(mode: .ascii, color: .none, reason: "no UTF-8 locale") }
        if ["truecolor", "24bit"].contains(env["COLORTERM"] ?? "") {
            return GraphicsChoice(mode: .blocks, color: .truecolor, reason: "COLORTERM=\(env["COLORTERM"]!)")
        }
        if term.contains("256color") { return GraphicsChoice(mode: .blocks, color: .palette256, reason: "TERM=\(term)") }
        if term.contains("16color") { return GraphicsChoice(mode: .blocks, color: .ansi16, reason: "TERM=\(term)") }
        if term == "vt100" || term == "vt220" || term == "linux-m" || term.hasPrefix("vt1") {
            return GraphicsChoice(mode: .ascii, color: .none, reason: "TERM=\(term) has no colour")
        }
        return GraphicsChoice(mode: .blocks, color: .ansi8, reason: "TERM=\(term): 8 colours")
    }
}
