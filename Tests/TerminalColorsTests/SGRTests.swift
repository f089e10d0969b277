import TerminalColors
import Testing

/// The one colour mapping and the one SGR writer: what each depth gets for a colour.
@Suite struct SGRTests {
    @Test func eachDepthGetsTheCodesItHas() {
        let orange = TerminalColor.rgb(255, 135, 0)
        #expect(SGR.codes(orange, .foreground, depth: .truecolor) == "38;2;255;135;0")
        #expect(SGR.codes(orange, .background, depth: .palette256) == "48;5;208")  // the cube's exact entry
        #expect(SGR.codes(.rgb(205, 0, 0), .foreground, depth: .palette256) == "31")  // a basic colour stays basic
        #expect(SGR.codes(.rgb(205, 0, 0), .foreground, depth: .palette256, exactBasic: false) == "38;5;160")  // `preview`
        #expect(SGR.codes(.rgb(0, 0, 0), .background, depth: .palette256, exactBasic: false) == "48;5;16")
        #expect(SGR.codes(.rgb(205, 0, 0), .foreground, depth: .ansi8, exactBasic: false) == "31")  // 8 colours: basic
        #expect(SGR.codes(.indexed(12), .background, depth: .ansi16) == "104")
        #expect(SGR.codes(.indexed(12), .foreground, depth: .ansi8) == "34")  // no bright colours on 8
        #expect(SGR.codes(orange, .foreground, depth: .none) == nil)
        #expect(SGR.sequence(9, .foreground, depth: .palette256) == "\u{1b}[91m")
    }

    @Test func theMappingKeepsWhatTheTerminalHasAndFoldsTheRest() {
        #expect(Palette.index(for: .indexed(200), colors: 256) == 200)
        #expect(Palette.index(for: .rgb(0, 0, 238), colors: 8) == 4)  // exactly basic blue
        #expect(Palette.index(for: .indexed(231), colors: 16) == 15)  // white: bright white on 16
        #expect(Palette.index(for: .indexed(231), colors: 8) == 7)
        #expect(Palette.index(for: .rgb(110, 110, 110), colors: 256) == Int(Palette.nearest(110, 110, 110)))
        #expect(Palette.rgb(of: .indexed(196)) == (255, 0, 0) && Palette.rgb(of: .rgb(1, 2, 3)) == (1, 2, 3))
    }

    @Test func aTerminalsDepthFollowsItsColours() {
        #expect(ColorDepth(colors: 0, truecolor: true) == .none)
        #expect(ColorDepth(colors: 8, truecolor: false) == .ansi8 && ColorDepth(colors: 16, truecolor: false) == .ansi16)
        #expect(ColorDepth(colors: 256, truecolor: false) == .palette256 && ColorDepth(colors: 256, truecolor: true) == .truecolor)
        #expect(ColorDepth.allCases.map(\.paletteColors) == [0, 256, 16, 8, 256])
    }
}
