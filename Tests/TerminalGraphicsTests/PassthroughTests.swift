import ImagePreview
import TerminalGraphics
import Testing

/// tmux's passthrough: wrapping, what tmux says about a pane, and the choices made from it.
@Suite struct PassthroughTests {
    let inTmux = ["LANG": "C.UTF-8", "TERM": "tmux-256color", "TMUX": "/tmp/tmux-0/default,1,0"]
    static let tmux33 = GraphicsDetection.parse(Array("\u{1b}[?1;2c".utf8))
    static let tmuxWithSixel = GraphicsDetection.parse(Array("\u{1b}[?1;2;4c".utf8))

    /// Undoes ``Passthrough/tmux(_:)`` the way tmux does: each `ESC P tmux; … ESC \` loses
    /// its frame and its doubled ESCs; everything else stays.
    static func unwrap(_ bytes: [UInt8]) -> (inner: [UInt8], sequences: Int) {
        var out = [UInt8](), i = 0, sequences = 0
        let head: [UInt8] = [0x1B, 0x50] + Array("tmux;".utf8)
        while i < bytes.count {
            if Array(bytes[i ..< min(bytes.count, i + head.count)]) == head {
                sequences += 1
                i += head.count
                while i < bytes.count {
                    if bytes[i] == 0x1B && i + 1 < bytes.count && bytes[i + 1] == 0x1B { out.append(0x1B); i += 2; continue }
                    if bytes[i] == 0x1B && i + 1 < bytes.count && bytes[i + 1] == 0x5C { i += 2; break }
                    out.append(bytes[i]); i += 1
                }
            } else {
                out.append(bytes[i]); i += 1
            }
        }
        return (out, sequences)
    }

    @Test func eachSequenceIsWrappedOnItsOwnWithItsEscapesDoubled() throws {
        let raster = Raster(width: 90, height: 70, rgb: (0 ..< 90 * 70 * 3).map { UInt8(($0 * 7) % 251) })
        let kitty = Array(GraphicsEncoder.kitty(raster).utf8)
        let wrapped = try #require(Passthrough.tmux(kitty))
        let (inner, sequences) = Self.unwrap(wrapped)
        #expect(inner == kitty)
        // One passthrough per 4096-byte kitty chunk (the data is 18,900 bytes: 25,200 in base64).
        #expect(sequences == 7)
        // No bare ESC inside a passthrough: every ESC is doubled or ends it.
        let sixel = try #require(GraphicsEncoder.sixel(raster))
        let wrappedSixel = try #require(Passthrough.tmux(sixel))
        #expect(Self.unwrap(wrappedSixel) == (sixel, 1))
        // Text between sequences stays outside them; an OSC ends at BEL.
        let mixed = Array("a\u{1b}]1337;File=x\u{7}b\n".utf8)
        let w = try #require(Passthrough.tmux(mixed))
        #expect(w == Array("a\u{1b}Ptmux;\u{1b}\u{1b}]1337;File=x\u{7}\u{1b}\\b\n".utf8))
    }

    @Test func aSequenceTmuxWouldDropIsRefused() {
        let long = [0x1B, 0x50, 0x71] + [UInt8](repeating: 0x3F, count: Passthrough.limit) + [0x1B, 0x5C]
        #expect(Passthrough.tmux(long) == nil)
        let short = [0x1B, 0x50, 0x71] + [UInt8](repeating: 0x3F, count: 1000) + [0x1B, 0x5C]
        #expect(Passthrough.tmux(short) != nil)
    }

    @Test func cursorMovesKeepTmuxBesideTheImage() {
        #expect(Passthrough.reserve(rows: 3) == "\n\n\n\u{1b}[3A")
        #expect(Passthrough.leave(rows: 3) == "\u{1b}[3B\r")
        #expect(Passthrough.reserve(rows: 0).isEmpty && Passthrough.leave(rows: 0).isEmpty)
    }

    @Test func whatTmuxSaysIsParsed() {
        #expect(TmuxPane.parse("1|XTerm(379)\n") == TmuxPane(allowsPassthrough: true, terminal: "XTerm(379)"))
        #expect(TmuxPane.parse("on|kitty(0.35.2)\n")?.pixelMode == .kitty)
        #expect(TmuxPane.parse("all|ghostty 1.0\n")?.pixelMode == .kitty)
        #expect(TmuxPane.parse("off|WezTerm 20240203\n") == TmuxPane(allowsPassthrough: false, terminal: "WezTerm 20240203"))
        #expect(TmuxPane.parse("1|foot(1.16.2)")?.pixelMode == .sixel)
        #expect(TmuxPane.parse("1|XTerm(379)")?.pixelMode == nil)
        #expect(TmuxPane.parse("0|\n") == TmuxPane(allowsPassthrough: false, terminal: ""))
        // An older tmux prints unknown formats as nothing or as they are: not an answer.
        #expect(TmuxPane.parse("|\n") == nil)
        #expect(TmuxPane.parse("no server running on /tmp/tmux-0/default") == nil)
        // A hostile terminal name keeps printable ASCII only.
        #expect(TmuxPane.parse("1|kit\u{1b}]0;x\u{7}ty")?.terminal == "kit]0;xty")
    }

    @Test func autoInsideTmuxUsesPassthroughOnlyForATerminalKnownByName() {
        func choose(_ pane: TmuxPane?) -> GraphicsChoice {
            GraphicsDetection.choose(environment: inTmux, answers: Self.tmux33, tmux: pane)
        }
        let kitty = choose(TmuxPane(allowsPassthrough: true, terminal: "kitty(0.35.2)"))
        #expect(kitty.mode == .kitty && kitty.passthrough)
        #expect(choose(TmuxPane(allowsPassthrough: true, terminal: "WezTerm 20240203")).mode == .iterm)
        // xterm may or may not draw sixel: characters, and the reason says how to ask.
        let xterm = choose(TmuxPane(allowsPassthrough: true, terminal: "XTerm(379)"))
        #expect(xterm.mode == .blocks && !xterm.passthrough)
        #expect(xterm.reason.contains("--graphics sixel|kitty|iterm"))
        // Passthrough off: characters, and the reason says how to turn it on.
        let off = choose(TmuxPane(allowsPassthrough: false, terminal: "kitty(0.35.2)"))
        #expect(off.mode == .blocks && off.reason.contains("allow-passthrough on"))
        #expect(choose(nil).mode == .blocks)
        // tmux that draws sixel itself needs no passthrough.
        let native = GraphicsDetection.choose(environment: inTmux, answers: Self.tmuxWithSixel,
                                              tmux: TmuxPane(allowsPassthrough: true, terminal: "kitty(0.35.2)"))
        #expect(native.mode == .sixel && !native.passthrough)
    }

    @Test func anExplicitModeInsideTmuxIsDrawnWhereTmuxLetsItThrough() {
        let on = TmuxPane(allowsPassthrough: true, terminal: "XTerm(379)"), off = TmuxPane(allowsPassthrough: false, terminal: "")
        func resolve(_ mode: GraphicsMode, _ answers: TerminalAnswers?, _ pane: TmuxPane?, _ env: [String: String]? = nil) -> GraphicsChoice {
            GraphicsDetection.resolve(mode, environment: env ?? inTmux, answers: answers, tmux: pane)
        }
        #expect(resolve(.sixel, Self.tmux33, on) == GraphicsChoice(mode: .sixel, color: .truecolor,
                                                                    reason: "asked for; through tmux's passthrough, which allow-passthrough allows",
                                                                    passthrough: true))
        #expect(resolve(.kitty, Self.tmux33, on).passthrough)
        #expect(!resolve(.sixel, Self.tmuxWithSixel, off).passthrough && resolve(.sixel, Self.tmuxWithSixel, off).mode == .sixel)
        let dropped = resolve(.sixel, Self.tmux33, off)
        #expect(dropped.mode == .blocks && dropped.reason.hasPrefix("sixel asked for, but tmux would drop it"))
        #expect(resolve(.kitty, Self.tmux33, nil).mode == .blocks)
        // Outside tmux, and for characters, exactly as asked.
        #expect(resolve(.kitty, nil, nil, ["TERM": "xterm"]) == GraphicsChoice(mode: .kitty, color: .truecolor, reason: "asked for"))
        #expect(resolve(.ascii, Self.tmux33, off).mode == .ascii)
    }

    @Test func kittysQueryIsNotSentToAMultiplexer() {
        #expect(GraphicsDetection.query(environment: ["TERM": "xterm"]) == GraphicsDetection.query)
        for env in [inTmux, ["TERM": "screen-256color"], ["TERM": "tmux-256color"]] {
            let q = GraphicsDetection.query(environment: env)
            #expect(!q.contains("\u{1b}_G") && q.hasSuffix("\u{1b}[c"), "\(env)")
        }
    }
}
