import BlobApps
import BlobTransfer
import Glibc
import Testing
import TerminalUI
import TestSupport
import TerminalColors

/// The reader's compare view (`d`): the received image, the file on disk and the
/// difference picture, titled, side by side or stacked; blink; identical said plainly;
/// the verdict keeps the file's state beside the pixels'.
@Suite struct CompareViewAppTests {
    /// A published 80x40 grey picture whose file then changes in its right half (by
    /// `change` in red) and a reader at `columns` x `rows`, the comparison read.
    func changed(_ f: WriterFixture, change: UInt8 = 200, columns: Int = 100, rows: Int = 34,
                 capabilities: Capabilities = .full) throws -> ReaderHarness {
        let path = f.dir + "/pic.png"
        Fixtures.write(PNGWriter.rgb(width: 80, height: 40) { _, _ in (40, 40, 40) }, to: path)
        _ = try Publisher.publish(file: path, to: f.backing)
        Fixtures.write(PNGWriter.rgb(width: 80, height: 40) { x, _ in x >= 40 ? (40 + change, 40, 40) : (40, 40, 40) }, to: path)
        // Modified after the publish, as an edit a minute later would be (the clock's
        // granularity could make both moments the same).
        var times = [timespec(tv_sec: time(nil) + 60, tv_nsec: 0), timespec(tv_sec: time(nil) + 60, tv_nsec: 0)]
        #expect(utimensat(AT_FDCWD, path, &times, 0) == 0)
        let h = ReaderHarness(ReaderState(backing: f.backing, saveDirectory: f.dir), columns: columns, rows: rows,
                              capabilities: capabilities)
        h.press(.char("r"))
        #expect(h.waitFor { if case .success? = h.state.pixels?.result { true } else { false } }, "\(h.text)")
        return h
    }

    /// Waits until the compare view's panes are drawn.
    func opened(_ h: ReaderHarness) -> Bool {
        h.waitFor { h.state.compare?.rendering?.results != nil && h.state.compare?.rendering?.key == h.state.compare?.rendering?.key }
    }

    /// The row holding `text`, and its column.
    func find(_ text: String, in screen: Screen) -> (x: Int, y: Int)? {
        let rows = (0 ..< screen.height).map { screen.rowText($0) }
        for (y, row) in rows.enumerated() {
            if let r = row.firstRange(of: text) { return (row.distance(from: row.startIndex, to: r.lowerBound), y) }
        }
        return nil
    }

    func text(_ screen: Screen) -> String { screen.text }

    func rgb(_ cell: ScreenCell) -> (Int, Int, Int)? {
        cell.style.foreground.map { let c = Palette.rgb(of: $0); return (Int(c.0), Int(c.1), Int(c.2)) }
    }

    /// `compare --show`'s printout on a truecolor terminal: the pictures' cells in 24-bit
    /// colour inline (the text is all there is: no picture goes out as a separate part).
    @Test func thePrintableViewKeepsTwentyFourBitCells() {
        let a = PNGWriter.rgb(width: 80, height: 40) { _, _ in (40, 40, 40) }
        let b = PNGWriter.rgb(width: 80, height: 40) { x, _ in x >= 60 ? (240, 40, 40) : (40, 40, 40) }
        var capabilities = Capabilities(colors: 256, unicode: true)
        capabilities.truecolor = true
        let pictures = CompareView.Pictures(received: a, disk: b, comparison: nil)
        let out = String(decoding: CompareView.printable(pictures, columns: 100, rows: 14, capabilities: capabilities), as: UTF8.self)
        #expect(out.contains("38;2;240;40;40") && out.contains("38;2;40;40;40"), "\(out.prefix(300).debugDescription)")
        capabilities.truecolor = false
        let palette = String(decoding: CompareView.printable(pictures, columns: 100, rows: 14, capabilities: capabilities), as: UTF8.self)
        #expect(!palette.contains("38;2;") && palette.contains("38;5;"))
    }

    @Test func theVerdictKeepsTheFileStateAndThePixelVerdict() throws {
        let f = WriterFixture()
        let h = try changed(f)
        #expect(h.text.contains("the file on disk changed since it was published; different pixels: 1600 of 3200 differ"), "\(h.text)")
        #expect(h.text.contains("d compare"))
    }

    @Test func dShowsBothImagesTitledAndTheDifferenceSideBySide() throws {
        let f = WriterFixture()
        let h = try changed(f, columns: 130)
        h.press(.char("d"))
        #expect(opened(h), "\(h.text)")
        let s = h.terminal.screen
        // Titled with format, size, depth and bytes: whole at 130 columns, shorter at 100.
        #expect(s.text.contains("received: PNG 80x40 8-bit RGB, 9.5 KiB"), "\(s.text)")
        h.resize(columns: 100, rows: 34)
        #expect(opened(h))
        #expect(h.text.contains("received: PNG 80x40, 9.5 KiB") && h.text.contains("on disk PNG 80x40 8-bit 9.5 KiB"), "\(h.text)")
        h.resize(columns: 130, rows: 34)
        #expect(opened(h))
        let receivedFound = find("received: PNG 80x40 8-bit RGB", in: s)
        let received = try #require(receivedFound, "\(h.text)")
        let diskFound = find("on disk: PNG 80x40 8-bit RGB", in: s)
        let disk = try #require(diskFound, "\(h.text)")
        let differenceFound = find("difference: 1600 of 3200 pixels", in: s)
        let difference = try #require(differenceFound, "\(h.text)")
        #expect(received.y == disk.y && disk.y == difference.y && received.x < disk.x && disk.x < difference.x)
        #expect(h.text.contains("yellow (1/255) to magenta (255/255)"), "no legend: \(h.text)")
        #expect(h.text.contains("b blink"), "the key line names the view's keys: \(h.text)")
        // The difference pane: its left half (unchanged) faded grey, its right half the
        // magenta of a 200/255 difference; the received pane dark throughout.
        var left = Set<String>(), right = Set<String>()
        for y in difference.y + 1 ..< s.height - 3 {
            for x in difference.x ..< s.width where s[x, y].character == "\u{2580}" {
                guard let c = rgb(s[x, y]) else { continue }
                let grey = abs(c.0 - c.1) < 12 && abs(c.1 - c.2) < 12
                let magenta = c.0 > 150 && c.1 < 80 && c.2 > 80
                let name = grey ? "grey" : magenta ? "magenta" : "\(c)"
                if x - difference.x < 20 { left.insert(name) } else { right.insert(name) }
            }
        }
        #expect(left.contains("grey") && !left.contains("magenta"), "unchanged half: \(left)")
        #expect(right.contains("magenta"), "changed half: \(right)")
        h.press(.char("d"))
        #expect(!h.state.showDifferences)
        #expect(!h.text.contains("on disk: PNG"))
    }

    @Test func aSingleDifferenceOfOneIsVisibleInALargePicture() throws {
        let f = WriterFixture()
        let path = f.dir + "/big.png"
        Fixtures.write(PNGWriter.rgb(width: 1200, height: 800) { x, y in (UInt8(x % 200), UInt8(y % 200), 90) }, to: path)
        _ = try Publisher.publish(file: path, to: f.backing)
        Fixtures.write(PNGWriter.rgb(width: 1200, height: 800) { x, y in (UInt8(x % 200), UInt8(y % 200), x == 611 && y == 377 ? 91 : 90) }, to: path)
        let h = ReaderHarness(ReaderState(backing: f.backing, saveDirectory: f.dir), columns: 100, rows: 34)
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("1 of 960000 differ") }, "\(h.text)")
        h.press(.char("d"))
        #expect(opened(h))
        let s = h.terminal.screen
        let differenceFound = find("difference: 1 of 960000 pixels", in: s)
        let difference = try #require(differenceFound, "\(h.text)")
        var coloured = 0
        for y in difference.y + 1 ..< s.height - 3 {
            for x in difference.x ..< s.width where s[x, y].character == "\u{2580}" {
                for index in [s[x, y].style.foreground, s[x, y].style.background].compactMap({ $0 }) {
                    let c = Palette.rgb(of: index)
                    if Int(c.0) > 180 && Int(c.2) < 100 && Int(c.0) - Int(c.2) > 100 { coloured += 1 }  // yellow
                }
            }
        }
        #expect(coloured >= 1, "the one pixel 1/255 off is not visible in the difference pane")
    }

    @Test func bBlinksBetweenTheTwoInPlaceAndEscReturns() throws {
        let f = WriterFixture()
        let h = try changed(f)
        h.press(.char("d"))
        #expect(opened(h))
        h.press(.char("b"))
        #expect(opened(h))
        let first = h.terminal.screen
        let titleFound = find("received: PNG", in: first)
        let title = try #require(titleFound, "\(h.text)")
        #expect(!text(first).contains("on disk: PNG"))
        h.press(.char("b"))
        #expect(h.waitFor { find("on disk: PNG", in: h.terminal.screen) != nil })
        let second = h.terminal.screen
        let moved = find("on disk: PNG", in: second)
        #expect(moved.map { $0 == title } ?? false, "not in place")
        #expect(!text(second).contains("received: PNG"))
        // The right half of the picture changes (dark grey received, red on disk); the
        // left half stays.
        var changedCells = 0, sameCells = 0
        for y in title.y + 1 ..< first.height - 3 {
            for x in 0 ..< first.width where first[x, y].character == "\u{2580}" {
                if first[x, y] == second[x, y] { sameCells += 1 } else { changedCells += 1 }
            }
        }
        #expect(changedCells > 0 && sameCells > 0, "changed \(changedCells), same \(sameCells)")
        h.press(.escape)
        #expect(opened(h))
        #expect(h.text.contains("difference: 1600"), "Esc: side by side again")
        h.press(.escape)
        #expect(!h.state.showDifferences)
    }

    @Test func aNarrowTerminalStacksThePanes() throws {
        let f = WriterFixture()
        let h = try changed(f, columns: 44, rows: 60)
        h.press(.char("d"))
        #expect(opened(h))
        let s = h.terminal.screen
        let receivedFound = find("received:", in: s)
        let received = try #require(receivedFound, "\(h.text)")
        let diskFound = find("on disk:", in: s)
        let disk = try #require(diskFound, "\(h.text)")
        let differenceFound = find("difference:", in: s)
        let difference = try #require(differenceFound, "\(h.text)")
        #expect(received.x == disk.x && disk.x == difference.x && received.y < disk.y && disk.y < difference.y, "\(h.text)")
    }

    @Test func identicalImagesSaySoPlainly() throws {
        let f = WriterFixture()
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        let h = ReaderHarness(ReaderState(backing: f.backing, saveDirectory: f.dir), columns: 130, rows: 34)
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("identical to the file on disk") })
        h.press(.char("d"))
        #expect(opened(h))
        #expect(!h.state.statusIsError)
        #expect(h.state.status.hasPrefix("Identical: the received bytes are the file on disk, so every pixel is the same."))
        #expect(h.text.contains("difference: none (identical bytes)"), "\(h.text)")
        #expect(h.text.contains("received: PNG 40x20 8-bit RGB") && h.text.contains("on disk: PNG 40x20 8-bit RGB"), "\(h.text)")
    }

    @Test func withNothingOnDiskDSaysWhy() throws {
        let f = WriterFixture()
        let path = f.dir + "/gone.png"
        Fixtures.write(try #require(Fixtures.read(f.dir + "/a.png")), to: path)
        _ = try Publisher.publish(file: path, to: f.backing)
        unlink(path)
        let h = ReaderHarness(ReaderState(backing: f.backing, saveDirectory: f.dir), columns: 100, rows: 34)
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("removed since it was published") })
        h.press(.char("d"))
        #expect(!h.state.showDifferences)
        #expect(h.state.status == "Nothing on disk to compare with: the file on disk was removed since it was published.")
    }

    @Test(arguments: [Capabilities.PixelProtocol.sixel, .kitty])
    func aPixelTerminalGetsThreeImagesInOneGraphic(proto: Capabilities.PixelProtocol) throws {
        let f = WriterFixture()
        let h = try changed(f, capabilities: Capabilities(colors: 256, unicode: true, pixels: proto, cellWidth: 6, cellHeight: 13))
        h.press(.char("d"))
        #expect(h.waitFor { h.terminal.screen.graphic?.key.contains("+") ?? false }, "\(h.text)")
        let g = try #require(h.terminal.screen.graphic)
        let draw = String(decoding: g.draw, as: UTF8.self)
        let starts = proto == .sixel ? "\u{1b}P" : "\u{1b}_Ga=T"
        #expect(draw.ranges(of: starts).count == 3, "three images expected in the compare view")
        #expect(g.erase.isEmpty == (proto == .sixel))
        h.press(.char("?"))
        #expect(h.terminal.screen.graphic == nil, "no image under the help")
    }
}
