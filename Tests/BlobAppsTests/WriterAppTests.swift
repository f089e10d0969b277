import BlobApps
import Glibc
import SharedMemory
import Testing
import TerminalUI
import TestSupport

final class WriterFixture {
    let dir = Fixtures.makeTempDirectory()
    let segment = Fixtures.uniqueSegmentName("app")
    let waker = Waker()
    var backing: SegmentBacking { .sharedMemory(try! SegmentName(segment)) }

    init() {
        let png = PNGWriter.rgb(width: 40, height: 20) { x, _ in x < 20 ? (0, 0, 0) : (255, 255, 255) }
        Fixtures.write(png, to: dir + "/a.png")
        Fixtures.write(png, to: dir + "/B.jpg")  // not really a JPEG: a decode error to show
        Fixtures.write(Array("notes".utf8), to: dir + "/c.txt")
        Fixtures.write(png, to: dir + "/.hidden.png")
        mkdir(dir + "/sub", 0o755)
        Fixtures.write(png, to: dir + "/sub/inner.png")
    }

    deinit {
        Fixtures.removeSegment(segment)
        Fixtures.removeTree(dir)
    }

    func app(capacity: Int = BlobSegment.defaultCapacity) -> WriterApp {
        WriterApp(directory: dir, backing: backing, capacity: capacity, waker: waker)
    }
}

@Suite struct WriterAppTests {
    @Test func listsFoldersFirstImagesOnlyAndNavigates() {
        let f = WriterFixture()
        let app = f.app()
        let h = Harness(app, waker: f.waker)
        #expect(app.visible.map(\.name) == ["sub", "a.png", "B.jpg"])
        #expect(h.text.contains(" sub/") && h.text.contains("a.png") && !h.text.contains("c.txt"))
        h.press(.down)
        #expect(app.highlighted?.name == "a.png")
        h.press(.char("G"))
        #expect(app.highlighted?.name == "B.jpg")
        h.press(.char("j"))  // stays at the end
        #expect(app.highlighted?.name == "B.jpg")
        h.press(.char("g"), .enter)  // opens sub/
        #expect(app.directory.hasSuffix("/sub") && app.visible.map(\.name) == ["inner.png"])
        h.press(.backspace)
        #expect(!app.directory.hasSuffix("/sub") && app.highlighted?.name == "sub")
        h.press(.right)
        #expect(app.directory.hasSuffix("/sub"))
        h.press(.left, .pageDown, .pageUp, .home, .end)
        #expect(app.highlighted?.name == "B.jpg")
    }

    @Test func filterHiddenAndAllFiles() {
        let f = WriterFixture()
        let app = f.app()
        let h = Harness(app, waker: f.waker)
        h.press(.char("/"))
        h.type("b.J")
        #expect(app.visible.map(\.name) == ["B.jpg"] && app.editingFilter)
        #expect(h.text.contains("/b.J_"))
        h.press(.escape)
        #expect(app.filter.isEmpty && app.visible.count == 3)
        h.press(.char("a"))
        #expect(app.visible.map(\.name) == ["sub", "a.png", "B.jpg", "c.txt"])
        h.press(.char("."))
        #expect(app.visible.map(\.name) == ["sub", ".hidden.png", "a.png", "B.jpg", "c.txt"])
        h.press(.char("a"), .char("."))
        #expect(app.visible.count == 3)
    }

    @Test func previewsTheHighlightedImageOffTheInputPath() {
        let f = WriterFixture()
        let app = f.app()
        let h = Harness(app, waker: f.waker)
        h.press(.down)
        #expect(h.waitFor { h.text.contains("a.png  40x20 8-bit RGB") })
        h.press(.down)  // B.jpg: bytes of a PNG named .jpg, detected by content
        #expect(h.waitFor { h.text.contains("B.jpg  40x20") })
        // ASCII terminal: the same preview as characters.
        let plain = Harness(f.app(), waker: f.waker, capabilities: .plain)
        plain.press(.down)
        #expect(plain.waitFor { plain.text.contains("a.png  40x20") && plain.text.contains("@@@") })
        #expect(plain.terminal.screen.cells.allSatisfy { $0.character.value < 0x80 })  // ASCII only, no colours
        #expect(plain.terminal.screen.cells.allSatisfy { $0.style.foreground == nil && $0.style.background == nil })
    }

    @Test func publishesAndReportsErrorsInPlainWords() throws {
        let f = WriterFixture()
        let app = f.app(capacity: 200)
        let h = Harness(app, waker: f.waker)
        h.press(.down, .enter)  // a.png is larger than 200 bytes: refused
        #expect(app.statusIsError && h.text.contains("Error: content too large"))
        #expect(!BlobSegment.exists(f.backing))
        let app2 = f.app()
        let h2 = Harness(app2, waker: f.waker)
        h2.press(.down, .char("w"))
        #expect(!app2.statusIsError)
        #expect(h2.text.contains("Published a.png: sequence 1,"))
        let seg = try BlobSegment.open(f.backing, mode: .openExisting)
        #expect(seg.publishedSequence == 1)
        // A file that vanished after listing: a readable error, the app keeps going.
        unlink(f.dir + "/B.jpg")
        h2.press(.down, .enter)
        #expect(app2.statusIsError && h2.text.contains("Error: cannot read"))
        #expect(h2.press(.char("t")))
        #expect(h2.text.contains("Published TestData: sequence 2, Id=100,Age=20,Scores=60,61,62,63,64,65,66,67,68,69"))
        #expect(h2.press(.char("?")) && h2.text.contains("blob-writer keys"))
        #expect(h2.press(.char("x")) && !h2.text.contains("blob-writer keys"))
        #expect(!h2.press(.char("q")))
    }

    @Test func untrustedNamesAreEscaped() {
        let f = WriterFixture()
        Fixtures.write([1], to: f.dir + "/evil\u{1b}[2J\u{7}name.png")
        let app = f.app()
        let h = Harness(app, waker: f.waker)
        #expect(h.text.contains("evil\\x1b[2J\\x07name.png"))
        #expect(!h.terminal.screen.cells.contains { $0.character.value < 0x20 && $0.character != ScreenCell.continuationScalar })
    }

    @Test func resizeAtAnyMomentKeepsAWorkingScreen() {
        let f = WriterFixture()
        let app = f.app()
        let h = Harness(app, waker: f.waker)
        h.press(.down)
        for (w, rows) in [(40, 10), (120, 50), (20, 5), (10, 3), (80, 24)] {
            h.terminal.size = (w, rows)
            h.press(.resize)
            #expect(h.terminal.screen.width == w && h.terminal.screen.height == rows)
        }
        h.terminal.size = (10, 3)
        h.press(.resize)
        #expect(h.text.hasPrefix("Terminal t"))
        h.terminal.size = (100, 30)
        h.press(.resize)
        #expect(h.waitFor { h.text.contains("a.png  40x20") })
    }
}
