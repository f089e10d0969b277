import BlobApps
import BlobTransfer
import Glibc
import Testing
import TerminalUI
import TestSupport

final class WriterFixture {
    let dir = Fixtures.makeTempDirectory()
    let segment = Fixtures.uniqueSegmentName("app")
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

    /// The picker on the fixture folder, once its listing has arrived.
    func writer(capacity: Int = Segments.defaultCapacity, capabilities: Capabilities = .full) -> WriterHarness {
        let h = WriterHarness(WriterState(directory: dir, backing: backing, capacity: capacity), capabilities: capabilities)
        precondition(h.waitFor { !h.state.entries.isEmpty }, "the listing never arrived")
        return h
    }
}

@Suite struct WriterAppTests {
    @Test func listsFoldersFirstImagesOnlyAndNavigates() {
        let f = WriterFixture()
        let h = f.writer()
        #expect(h.state.visible.map(\.name) == ["sub", "a.png", "B.jpg"])
        #expect(h.text.contains(" sub/") && h.text.contains("a.png") && !h.text.contains("c.txt"))
        h.press(.down)
        #expect(h.state.highlighted?.name == "a.png")
        h.press(.char("G"))
        #expect(h.state.highlighted?.name == "B.jpg")
        h.press(.char("j"))  // stays at the end
        #expect(h.state.highlighted?.name == "B.jpg")
        h.press(.char("g"), .enter)  // opens sub/
        #expect(h.waitFor { h.state.directory.hasSuffix("/sub") })
        #expect(h.state.visible.map(\.name) == ["inner.png"])
        h.press(.backspace)
        #expect(h.waitFor { !h.state.directory.hasSuffix("/sub") })
        #expect(h.state.highlighted?.name == "sub")
        h.press(.right)
        #expect(h.waitFor { h.state.directory.hasSuffix("/sub") })
        h.press(.left)
        #expect(h.waitFor { !h.state.directory.hasSuffix("/sub") })
        h.press(.pageDown, .pageUp, .home, .end)
        #expect(h.state.highlighted?.name == "B.jpg")
    }

    @Test func filterHiddenAndAllFiles() {
        let f = WriterFixture()
        let h = f.writer()
        h.press(.char("/"))
        h.type("b.J")
        #expect(h.state.visible.map(\.name) == ["B.jpg"] && h.state.editingFilter)
        #expect(h.text.contains("/b.J_  1 of 3"))  // of what is listed, not of everything in the folder
        h.press(.escape)
        #expect(h.state.filter.isEmpty && h.state.visible.count == 3)
        h.press(.char("a"))
        #expect(h.state.visible.map(\.name) == ["sub", "a.png", "B.jpg", "c.txt"])
        h.press(.char("."))
        #expect(h.state.visible.map(\.name) == ["sub", ".hidden.png", "a.png", "B.jpg", "c.txt"])
        h.press(.char("a"), .char("."))
        #expect(h.state.visible.count == 3)
    }

    @Test func previewsTheHighlightedImageOffTheInputPath() {
        let f = WriterFixture()
        let h = f.writer()
        h.press(.down)
        #expect(h.waitFor { h.text.contains("a.png  40x20 8-bit RGB") })
        h.press(.down)  // B.jpg: bytes of a PNG named .jpg, detected by content
        #expect(h.waitFor { h.text.contains("B.jpg  40x20") })
        // ASCII terminal: the same preview as characters.
        let plain = f.writer(capabilities: .plain)
        plain.press(.down)
        #expect(plain.waitFor { plain.text.contains("a.png  40x20") && plain.text.contains("@@@") })
        #expect(plain.terminal.screen.cells.allSatisfy { $0.character.value < 0x80 })  // ASCII only, no colours
        #expect(plain.terminal.screen.cells.allSatisfy { $0.style.foreground == nil && $0.style.background == nil })
    }

    @Test func publishesAndReportsErrorsInPlainWords() throws {
        let f = WriterFixture()
        let h = f.writer(capacity: 200)
        h.press(.down, .enter)  // a.png is larger than 200 bytes: refused
        #expect(h.waitFor { h.state.statusIsError })
        #expect(h.text.contains("Error: '\(f.dir)/a.png' is 2.4 KiB; a new segment holds 200 B per blob"))
        #expect(!Segments.exists(f.backing))
        let h2 = f.writer()
        h2.press(.down, .char("w"))
        #expect(h2.waitFor { h2.text.contains("Published a.png: sequence 1,") })
        #expect(!h2.state.statusIsError)
        #expect(try Segments.info(f.backing).publishedSequence == 1)
        // A file that vanished after listing: a readable error, the app keeps going.
        unlink(f.dir + "/B.jpg")
        h2.press(.down, .enter)
        #expect(h2.waitFor { h2.state.statusIsError })
        #expect(h2.text.contains("Error: cannot read"))
        #expect(h2.press(.char("t")))
        #expect(h2.waitFor { h2.text.contains("Published TestData: sequence 2, Id=100,Age=20,Scores=60,61,62,63,64,65,66,67,68,69") })
        #expect(h2.press(.char("?")) && h2.text.contains("blob-writer keys"))
        #expect(h2.press(.char("x")) && !h2.text.contains("blob-writer keys"))
        #expect(!h2.press(.char("q")))
        #expect(h2.runner.isFinished)
    }

    @Test func untrustedNamesAreEscaped() {
        let f = WriterFixture()
        Fixtures.write([1], to: f.dir + "/evil\u{1b}[2J\u{7}name.png")
        let h = f.writer()
        #expect(h.text.contains("evil\\x1b[2J\\x07name.png"))
        #expect(!h.terminal.screen.cells.contains { $0.character.value < 0x20 && $0.character != ScreenCell.continuationScalar })
    }

    @Test func resizeAtAnyMomentKeepsAWorkingScreen() {
        let f = WriterFixture()
        let h = f.writer()
        h.press(.down)
        for (w, rows) in [(40, 10), (120, 50), (20, 5), (80, 24)] {
            h.resize(columns: w, rows: rows)
            // Redrawn at the new size: the title bar (reverse video) across the top, the
            // highlighted file listed, the status line on the last row.
            #expect(h.terminal.screen.width == w && h.terminal.screen.height == rows)
            #expect((0 ..< w).allSatisfy { h.terminal.screen[$0, 0].style.reverse })
            #expect(h.text.contains("a.png"))
            // The status on the last row, or wrapped over the last two when it is long.
            let start = String(h.state.status.prefix(min(w, 10)))
            #expect(h.terminal.screen.rowText(rows - 1).hasPrefix(start) || h.terminal.screen.rowText(rows - 2).hasPrefix(start))
        }
        h.resize(columns: 10, rows: 3)
        #expect(h.text.hasPrefix("Terminal t"))
        h.resize(columns: 100, rows: 30)
        #expect(h.waitFor { h.text.contains("a.png  40x20") })
    }

    /// A FIFO, a socket-like device and a link to /dev/zero named like images are listed
    /// with their type and never opened; the previews of real files keep working.
    @Test func onlyRegularFilesAreOpened() throws {
        let f = WriterFixture()
        #expect(mkfifo(f.dir + "/x.png", 0o600) == 0)
        #expect(symlink("/dev/zero", f.dir + "/zero.png") == 0)
        #expect(symlink("/nonexistent", f.dir + "/gone.png") == 0)
        let h = f.writer()
        #expect(h.state.visible.map(\.name) == ["sub", "a.png", "B.jpg", "gone.png", "x.png", "zero.png"])
        #expect(h.text.contains("FIFO") && h.text.contains("char device") && h.text.contains("broken link"))
        h.press(.char("G"))  // zero.png
        #expect(h.text.contains("zero.png  char device: not a regular file, never opened"))
        h.press(.up)  // x.png, the FIFO
        #expect(h.text.contains("x.png  FIFO: not a regular file"))
        h.press(.enter)  // publishing it is refused in words, without blocking
        #expect(h.waitFor { h.state.statusIsError })
        #expect(h.state.status.contains("is not a regular file"))
        h.press(.char("g"), .down)  // a.png still previews: no worker is stuck on the FIFO
        #expect(h.waitFor { h.text.contains("a.png  40x20") })
    }

    /// Files that are not images show their first lines, or a hex dump.
    @Test func nonImagesShowTextOrHex() {
        let f = WriterFixture()
        let notes = Array("first line\n\tsecond \u{1b}[31mline\n".utf8)
        Fixtures.write(notes, to: f.dir + "/notes.txt")
        Fixtures.write([0x00, 0x01, 0x41, 0x42, 0xff], to: f.dir + "/blob.bin")
        let h = f.writer()
        h.press(.char("a"))
        while h.state.highlighted?.name != "blob.bin" { h.press(.down) }
        #expect(h.waitFor { h.text.contains("blob.bin  binary, 5 B: hex dump") })
        #expect(h.text.contains("00000000  00 01 41 42 ff") && h.text.contains("|..AB.|"))
        while h.state.highlighted?.name != "notes.txt" { h.press(.down) }
        #expect(h.waitFor { h.text.contains("notes.txt  text, \(notes.count) B") })
        #expect(h.text.contains("first line") && h.text.contains("    second \\x1b[31mline"))
    }

    /// The listing follows the folder: new and removed files show without a key; R reloads.
    @Test func theListingStaysTrue() {
        let f = WriterFixture()
        let h = f.writer()
        h.press(.down)  // a.png
        Fixtures.write(PNGWriter.rgb(width: 2, height: 2) { _, _ in (9, 9, 9) }, to: f.dir + "/new.png")
        #expect(h.waitFor { h.state.visible.map(\.name).contains("new.png") })
        #expect(h.state.highlighted?.name == "a.png")  // the highlight stays where it was
        unlink(f.dir + "/B.jpg")
        #expect(h.waitFor { !h.state.visible.map(\.name).contains("B.jpg") })
        h.press(.char("R"))
        #expect(h.waitFor { h.state.statusShowsCount && h.state.status.hasSuffix(" of 5 shown (a: all, .: dot files)") }, "\(h.state.status)")
    }

    /// The status line's count follows the folder too, and a folder removed under the
    /// picker says so (it never keeps a count that is no longer true).
    @Test func theStatusCountFollowsTheFolder() {
        let f = WriterFixture()
        let sub = f.dir + "/sub"
        let h = WriterHarness(WriterState(directory: sub, backing: f.backing))
        #expect(h.waitFor { h.state.status == "1 entry" }, "\(h.state.status)")
        Fixtures.write([1], to: sub + "/two.bin")
        #expect(h.waitFor { h.state.status == "1 of 2 shown (a: all)" }, "\(h.state.status)")
        unlink(sub + "/two.bin")
        unlink(sub + "/inner.png")
        #expect(h.waitFor { h.state.status == "0 entries" }, "\(h.state.status)")
        rmdir(sub)
        #expect(h.waitFor { h.state.statusIsError && h.state.status.contains("cannot open") }, "\(h.state.status)")
    }

    /// The title keeps the most specific part of the folder at 80 and at 100 columns.
    @Test func titlesKeepTheirMostSpecificPart() {
        let f = WriterFixture()
        let deep = f.dir + "/newcomer/Assets"
        _ = Spawn.run("/bin/mkdir", ["-p", deep])
        let h = WriterHarness(WriterState(directory: deep, backing: f.backing), columns: 80, rows: 24)
        #expect(h.waitFor { h.state.statusShowsCount })
        let title = h.terminal.screen.rowText(0)
        #expect(title.contains("newcomer/Assets"), "\(title)")
        #expect(title.contains(deep) || title.contains("\u{2026}"), "cut without a mark: \(title)")
        h.resize(columns: 100, rows: 24)
        #expect(h.terminal.screen.rowText(0).contains(deep) || h.terminal.screen.rowText(0).contains("\u{2026}newcomer/Assets"))
    }

    /// In a 40-column pane (the demo at 80x24): hints that fit, and after publishing from
    /// a filter the filter stays visible (the status keeps to one row).
    @Test func aNarrowPaneKeepsHintsAndTheFilter() {
        let f = WriterFixture()
        let h = WriterHarness(WriterState(directory: f.dir, backing: f.backing), columns: 40, rows: 24)
        #expect(h.waitFor { !h.state.entries.isEmpty })
        #expect(h.terminal.screen.rowText(22).hasPrefix("Enter publish  / filter  ? keys  q quit"))
        h.press(.char("/"))
        h.type("a.png")
        h.press(.enter)
        #expect(h.waitFor { h.state.status.hasPrefix("Published a.png") })
        #expect(h.terminal.screen.rowText(22).hasPrefix("/a.png  1 of 3"))
        #expect(h.terminal.screen.rowText(23).hasSuffix("(m: all)"))
    }

    /// A status that takes the hints' row keeps "? keys" at the end of the last row, so
    /// a newcomer in a 40-column pane still sees how to find the keys.
    @Test func aTwoRowStatusKeepsTheWayToTheKeys() {
        let f = WriterFixture()
        let h = WriterHarness(WriterState(directory: f.dir, backing: f.backing), columns: 40, rows: 24)
        #expect(h.waitFor { !h.state.entries.isEmpty })
        #expect(h.terminal.screen.rowText(22).hasPrefix("Enter publish  / filter  ? keys  q quit"))
        h.press(.down, .enter)  // the first entry is a folder; a.png is next
        #expect(h.waitFor { h.state.status.hasPrefix("Published a.png") })
        #expect(TextFit.width(h.state.status) > 40, "the message needs two rows: \(h.state.status)")
        #expect(!h.terminal.screen.rowText(22).contains("q quit"), "the status took the hints' row")
        #expect(h.terminal.screen.rowText(23).hasSuffix("  ? keys"), "\(h.text)")
        h.press(.char("?"))
        #expect(h.text.contains("blob-writer keys"))
    }

    @Test func reduceIsPureAndAsksForWorkAsEffects() {
        // reduce on a value, no runner: the effects are data a test can read.
        var state = WriterState(directory: "/nowhere", backing: .sharedMemory(try! SegmentName("x")))
        #expect(WriterProgram.reduce(&state, .start) == [.list(directory: "/nowhere", select: nil, quiet: false)])
        let effects = WriterProgram.reduce(&state, .resize(ScreenSize(columns: 100, rows: 30), .full))
        #expect(effects == [.cancelPreview])  // nothing highlighted yet
        let entries = [DirectoryEntry(name: "a.png", isDirectory: false, size: 3)]
        let listed = WriterProgram.reduce(&state, .event(.listed(directory: "/nowhere", select: nil, quiet: false, .success(entries))))
        guard case let .preview(_, path, _, _, _)? = listed.first else {
            Issue.record("no preview asked for: \(listed)")
            return
        }
        #expect(path == "/nowhere/a.png")
        #expect(listed.last == .watchDirectory("/nowhere"))  // the listing follows changes
        let publish = WriterProgram.reduce(&state, .key(.enter))
        #expect(publish == [.publish(path: "/nowhere/a.png", name: "a.png", backing: state.backing, format: .blob, capacity: state.capacity)])
        #expect(WriterProgram.reduce(&state, .key(.char("q"))).isEmpty && WriterProgram.isFinished(state))
    }

    /// The count says what is listed: "2 of 4 shown" and which key shows the rest, not
    /// "4 entries" while two are listed; a and . say the new count.
    @Test func theCountMatchesWhatIsListed() {
        var state = WriterState(directory: "/d", backing: .sharedMemory(try! SegmentName("x")))
        _ = WriterProgram.reduce(&state, .resize(ScreenSize(columns: 100, rows: 30), .full))
        let entries = [DirectoryEntry(name: "a.png", isDirectory: false, size: 3), DirectoryEntry(name: "b.txt", isDirectory: false, size: 3),
                       DirectoryEntry(name: ".c.png", isDirectory: false, size: 3), DirectoryEntry(name: "sub", isDirectory: true, size: 0)]
        _ = WriterProgram.reduce(&state, .event(.listed(directory: "/d", select: nil, quiet: false, .success(entries))))
        #expect(state.visible.count == 2)
        #expect(state.status == "2 of 4 shown (a: all, .: dot files)", "\(state.status)")
        _ = WriterProgram.reduce(&state, .key(.char("a")))
        #expect(state.status == "All files. 3 of 4 shown (.: dot files)", "\(state.status)")
        _ = WriterProgram.reduce(&state, .key(.char(".")))
        #expect(state.status == "Dot files shown. 4 entries", "\(state.status)")
        // A refresh keeps the count true.
        _ = WriterProgram.reduce(&state, .event(.listed(directory: "/d", select: nil, quiet: true, .success(Array(entries.prefix(3))))))
        #expect(state.status == "3 entries", "\(state.status)")
    }

    /// A long listing shows where the highlight is; an error ends when the highlight moves on.
    @Test func aLongListingShowsThePositionAndAnErrorEndsOnMoving() {
        var state = WriterState(directory: "/d", backing: .sharedMemory(try! SegmentName("x")))
        let size = ScreenSize(columns: 80, rows: 12)
        _ = WriterProgram.reduce(&state, .resize(size, .full))
        let entries = (0 ..< 30).map { DirectoryEntry(name: "f\($0).png", isDirectory: false, size: 3) }
        _ = WriterProgram.reduce(&state, .event(.listed(directory: "/d", select: nil, quiet: false, .success(entries))))
        _ = WriterProgram.reduce(&state, .key(.down))
        let screen = WriterProgram.view(state, size: size, capabilities: .full)
        #expect(screen.rowText(10).hasSuffix(" 2/30"), "\(screen.rowText(10))")
        _ = WriterProgram.reduce(&state, .event(.listed(directory: "/gone", select: "x", quiet: false, .failure(ListingError(message: "No such file or directory")))))
        #expect(state.statusIsError)
        _ = WriterProgram.reduce(&state, .key(.down))
        #expect(!state.statusIsError && state.status == "30 entries", "\(state.status)")
    }
}
