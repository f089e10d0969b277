import TerminalColors
import Testing

/// The one palette table: xterm's values, the basic 16 recognised exactly, and the nearest
/// index of every palette colour is that colour.
@Suite struct PaletteTests {
    @Test func theTableHoldsXtermsValues() {
        #expect(Palette.rgb(1) == (205, 0, 0) && Palette.rgb(12) == (92, 92, 255) && Palette.rgb(15) == (255, 255, 255))
        #expect(Palette.rgb(16) == (0, 0, 0) && Palette.rgb(196) == (255, 0, 0) && Palette.rgb(231) == (255, 255, 255))
        #expect(Palette.rgb(232) == (8, 8, 8) && Palette.rgb(255) == (238, 238, 238))
        #expect(Palette.basicColors.count == 16)
    }

    @Test func basicColoursAreRecognisedAndOthersAreNot() {
        for i in 0 ..< 16 {
            let c = Palette.rgb(UInt8(i))
            // 0 and 15 are also cube colours; the basic index wins, as a 16-colour preview needs.
            #expect(Palette.basic(c.0, c.1, c.2) == UInt8(i))
        }
        #expect(Palette.basic(110, 110, 110) == nil)
    }

    @Test func theNearestIndexOfAPaletteColourIsItself() {
        var wrong: [Int] = []
        for i in 16 ... 255 {
            let c = Palette.rgb(UInt8(i))
            let n = Palette.nearest(c.0, c.1, c.2)
            if Palette.rgb(n) != c { wrong.append(i) }
        }
        #expect(wrong.isEmpty, "indices whose nearest is another colour: \(wrong)")
    }
}
