import ImagePreview
import TerminalGraphics
import Testing

/// Detection against scripted terminal answers (what these terminals send back to
/// ``GraphicsDetection/query``) and environments.
@Suite struct DetectionTests {
    static let xtermVT340 = "\u{1b}[6;13;6t\u{1b}P>|XTerm(379)\u{1b}\\\u{1b}[?63;1;2;4;6;9;15;16;22;28c"
    static let kitty = "\u{1b}_Gi=31;OK\u{1b}\\\u{1b}[6;20;10t\u{1b}P>|kitty(0.35.2)\u{1b}\\\u{1b}[?62;c"
    static let tmux33 = "\u{1b}[?1;2c"
    static let plainXterm = "\u{1b}P>|XTerm(379)\u{1b}\\\u{1b}[?64;1;2;6;9;15;16;17;18;21;22;28c"

    let utf8 = ["LANG": "C.UTF-8"]

    func env(_ extra: [String: String]) -> [String: String] { utf8.merging(extra) { $1 } }

    @Test func answersAreParsed() {
        let x = GraphicsDetection.parse(Array(Self.xtermVT340.utf8))
        #expect(x.attributes == [63, 1, 2, 4, 6, 9, 15, 16, 22, 28])
        #expect(x.version == "XTerm(379)")
        #expect(x.cellSize?.width == 6 && x.cellSize?.height == 13)
        #expect(!x.kittyGraphics)
        let k = GraphicsDetection.parse(Array(Self.kitty.utf8))
        #expect(k.kittyGraphics && k.cellSize?.width == 10)
        #expect(GraphicsDetection.parse(Array(Self.tmux33.utf8)).attributes == [1, 2])
        // Partial input: not complete until DA1 arrives.
        #expect(!GraphicsDetection.isComplete(Array("\u{1b}[6;13;6t\u{1b}[?63;1".utf8)))
        #expect(GraphicsDetection.isComplete(Array(Self.tmux33.utf8)))
        // A hostile "version" keeps printable ASCII only: no control character survives.
        #expect(GraphicsDetection.parse(Array("\u{1b}P>|evil\u{7}\u{1b}]0;x\u{1b}\\\u{1b}[?1c".utf8)).version == "evil]0;x")
    }

    @Test func theTerminalsAnswerDecides() {
        func mode(_ answer: String, _ extra: [String: String] = ["TERM": "xterm"]) -> GraphicsMode {
            GraphicsDetection.choose(environment: env(extra), answers: GraphicsDetection.parse(Array(answer.utf8))).mode
        }
        #expect(mode(Self.xtermVT340) == .sixel)
        #expect(mode(Self.kitty, ["TERM": "xterm-kitty"]) == .kitty)
        #expect(mode(Self.plainXterm) == .blocks)
        // Under tmux 3.3 (no sixel): characters, whatever the outer terminal is.
        #expect(mode(Self.tmux33, ["TERM": "screen-256color", "TMUX": "/tmp/tmux-0/default,1,0"]) == .blocks)
        #expect(mode(Self.plainXterm, ["TERM": "tmux-256color", "TMUX": "x"]) == .blocks)
        // tmux 3.4 built with sixel answers DA1 with 4 itself, and draws what it is sent.
        #expect(mode("\u{1b}[?1;2;4c", ["TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0"]) == .sixel)
        // screen (no TMUX) never: it answers for its own terminal.
        #expect(mode(Self.xtermVT340, ["TERM": "screen-256color"]) == .blocks)
    }

    @Test func environmentHintsWithoutAnswers() {
        func choice(_ e: [String: String]) -> GraphicsChoice { GraphicsDetection.choose(environment: env(e), answers: nil) }
        #expect(choice(["TERM": "xterm-kitty"]).mode == .kitty)
        #expect(choice(["TERM": "xterm-256color", "KITTY_WINDOW_ID": "1"]).mode == .kitty)
        #expect(choice(["TERM": "xterm-256color", "TERM_PROGRAM": "iTerm.app"]).mode == .iterm)
        #expect(choice(["TERM": "xterm-256color", "COLORTERM": "truecolor"]) == GraphicsChoice(mode: .blocks, color: .truecolor, reason: "COLORTERM=truecolor"))
        #expect(choice(["TERM": "xterm-256color"]).color == .palette256)
        #expect(choice(["TERM": "xterm"]).color == .ansi8)
        #expect(choice(["TERM": "rxvt-16color"]).color == .ansi16)
        #expect(choice(["TERM": "vt100"]).mode == .ascii)
        #expect(choice(["TERM": "dumb"]).mode == .ascii)
        #expect(choice(["TERM": "xterm-kitty", "NO_COLOR": "1"]).mode == .ascii)
        #expect(GraphicsDetection.choose(environment: ["TERM": "xterm-256color", "LANG": "C"], answers: nil).mode == .ascii)
    }
}
