import BlobApps
import BlobTransfer
import Glibc
import TerminalColors
import Testing
import TerminalUI
import TestSupport

/// The reader app's previews by terminal: pixels as a ``Graphic`` (gone under overlays),
/// 8 colours as mixed pairs, and the heat map of differing pixels (`d` without colours).
@Suite struct PreviewModesAppTests {
    func reader(_ f: WriterFixture, _ capabilities: Capabilities) -> ReaderHarness {
        ReaderHarness(ReaderState(backing: f.backing, saveDirectory: f.dir), columns: 100, rows: 34, capabilities: capabilities)
    }

    @Test(arguments: [Capabilities.PixelProtocol.sixel, .kitty])
    func aPixelTerminalGetsTheImageAsAGraphic(proto: Capabilities.PixelProtocol) throws {
        let f = WriterFixture()
        Fixtures.write(PNGWriter.rgb(width: 160, height: 120) { x, y in (UInt8(x), UInt8(y), 90) }, to: f.dir + "/p.png")
        _ = try Publisher.publish(file: f.dir + "/p.png", to: f.backing)
        let h = reader(f, Capabilities(colors: 256, unicode: true, pixels: proto, cellWidth: 6, cellHeight: 13))
        h.press(.char("r"))
        #expect(h.waitFor { h.terminal.screen.graphic != nil })
        let g = try #require(h.terminal.screen.graphic)
        #expect(g.columns == 27 && g.rows == 10, "160x120 pixels in 6x13 cells: \(g.columns)x\(g.rows)")
        #expect(g.draw.starts(with: proto == .sixel ? [0x1B, 0x50] : Array("\u{1b}_Ga=T".utf8)))
        #expect(g.erase.isEmpty == (proto == .sixel))
        #expect(h.text.contains("PNG  160 x 120"))
        // The help overlay covers the screen: no image under it; back when it closes.
        h.press(.char("?"))
        #expect(h.terminal.screen.graphic == nil)
        h.press(.char("x"))
        #expect(h.terminal.screen.graphic == g)
    }

    @Test func eightColoursMixPairsInsteadOfFlatteningToOne() throws {
        let f = WriterFixture()
        // A mid grey no basic colour matches: only a mixture of two can.
        Fixtures.write(PNGWriter.rgb(width: 60, height: 40) { _, _ in (110, 110, 110) }, to: f.dir + "/grey.png")
        _ = try Publisher.publish(file: f.dir + "/grey.png", to: f.backing)
        let h = reader(f, Capabilities(colors: 8, unicode: true))
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("\u{2580}") })
        let screen = h.terminal.screen
        var used = Set<UInt8>()
        for y in 0 ..< screen.height {
            for x in 0 ..< screen.width where screen[x, y].character == "\u{2580}" {
                let style = screen[x, y].style
                // Which basic colour each is exactly (255: none, a colour the terminal would flatten).
                for c in [style.foreground, style.background].compactMap({ $0 }) {
                    let (r, g, b) = Palette.rgb(of: c)
                    if case let .indexed(i) = c { used.insert(i) } else { used.insert(Palette.basic(r, g, b) ?? 255) }
                }
            }
        }
        #expect(used.allSatisfy { $0 < 8 }, "colours beyond the 8: \(used.sorted())")
        #expect(used.count >= 2, "one flat colour: \(used.sorted())")
    }

    @Test func dShowsWhereThePixelsDifferInCharactersWithoutColour() throws {
        let f = WriterFixture()
        let path = f.dir + "/pic.png"
        Fixtures.write(PNGWriter.rgb(width: 80, height: 40) { _, _ in (40, 40, 40) }, to: path)
        _ = try Publisher.publish(file: path, to: f.backing)
        // The file on disk then changes in its right half only.
        Fixtures.write(PNGWriter.rgb(width: 80, height: 40) { x, _ in x >= 40 ? (240, 40, 40) : (40, 40, 40) }, to: path)
        // No colours: the difference pane is the heat map in characters.
        let h = reader(f, Capabilities(colors: 0, unicode: true))
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("different pixels: 1600 of 3200 differ") }, "\(h.text)")
        h.press(.char("d"))
        #expect(h.state.showDifferences)
        #expect(h.waitFor { h.state.compare?.rendering?.results != nil })
        let screen = h.terminal.screen
        // The difference pane's rows: the left half dotted (equal), the right half blocks.
        let rows = (0 ..< screen.height).map { screen.rowText($0) }.filter { $0.contains("\u{00B7}") && $0.contains("\u{2588}") }
        #expect(!rows.isEmpty, "no heat map: \(h.text)")
        for row in rows {
            let dots = row.firstIndex(of: "\u{00B7}")!, block = row.firstIndex(of: "\u{2588}")!
            #expect(dots < block, "equal pixels should be on the left: \(row)")
        }
        #expect(h.text.contains(". unchanged"), "the characters' legend: \(h.text)")
        h.press(.char("d"))
        #expect(!h.state.showDifferences)
    }
}
