import BlobApps
import BlobTransfer
import Glibc
import SharedMemory
import Testing
import TerminalUI
import TestSupport

extension WriterFixture {
    /// The viewer on the fixture's segment, saving into the fixture folder.
    func reader(watch: Bool = false) -> ReaderHarness {
        ReaderHarness(ReaderState(backing: backing, saveDirectory: dir, watch: watch))
    }

    /// Opens (creating if needed) the fixture's segment for publishing by hand.
    func openSegment(capacity: Int = Segments.defaultCapacity) throws -> BlobSegment {
        try BlobSegment.open(backing, mode: .createOrOpen, capacity: capacity)
    }
}

@Suite struct ReaderAppTests {
    @Test func friendlyScreenThenReadWithComparison() throws {
        let f = WriterFixture()
        let h = f.reader()
        #expect(h.waitFor { h.text.contains("There is no segment '\(f.segment)' yet.") })
        h.press(.char("r"))
        #expect(h.waitFor { h.state.status == "No segment yet." })
        #expect(h.text.contains("There is no segment"))
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("path:     \(f.dir)/a.png") })
        #expect(h.text.contains("compare:  identical to the file on disk"))
        let sha = SHA256Hex.of(Fixtures.read(f.dir + "/a.png")!)
        #expect(h.text.contains("sha256:   \(sha)"))
        #expect(h.waitFor { h.text.contains("format:   PNG  40 x 20, 8-bit RGB") })
        // Changed on disk after sending: differs, and says why.
        Fixtures.write([1, 2, 3], to: f.dir + "/a.png")
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("compare:  differs: the file on disk changed since it was published") })
        // A file that differs and was not touched since (another file published under its name).
        let seg0 = try f.openSegment()
        _ = try ([4, 5] as [UInt8]).withUnsafeBytes { try seg0.publishFrame(path: f.dir + "/a.png", content: $0) }
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("compare:  differs from the file on disk") })
        // Removed since: its folder is here, the file is not.
        unlink(f.dir + "/a.png")
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("compare:  the file on disk was removed since it was published") })
        // A label naming no local file.
        let seg = try f.openSegment()
        _ = try ([9, 9] as [UInt8]).withUnsafeBytes { try seg.publishFrame(path: "C:\\Users\\x\\remote.png", content: $0) }
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("compare:  source not on this machine") })
        #expect(h.waitFor { h.text.contains("format:   text (no image preview)") })  // two tabs: text
        // Binary content gets a hex dump.
        _ = try ([0, 1, 0xfe] as [UInt8]).withUnsafeBytes { try seg.publishFrame(path: "/x/blob.bin", content: $0) }
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("unknown content (no image preview; hex dump below)") })
        #expect(h.text.contains("00000000  00 01 fe") && h.text.contains("|...|"))
    }

    @Test func watchModeShowsNewBlobsAndWaitsForTheSegment() throws {
        let f = WriterFixture()
        let h = f.reader()
        h.press(.char("w"))
        #expect(h.state.watching && h.text.contains("[watching]"))
        // The segment does not exist yet; publishing creates it and the blob shows up.
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        #expect(h.waitFor { h.text.contains("sequence: 1") })
        _ = try Publisher.publish(file: f.dir + "/sub/inner.png", to: f.backing)
        #expect(h.waitFor { h.text.contains("sequence: 2") && h.text.contains("inner.png") })
        _ = try RecordTransfer.publish(to: f.backing)
        #expect(h.waitFor { h.text.contains("value:    Id=100,Age=20,Scores=60,61,62,63,64,65,66,67,68,69") })
        h.press(.char("w"))
        #expect(!h.state.watching)
    }

    /// A watching reader says when its segment was removed (keeping the last blob on
    /// screen), and picks up one created again under the name.
    @Test func aWatchingReaderSaysTheSegmentWasRemoved() throws {
        let f = WriterFixture()
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        let h = f.reader(watch: true)
        #expect(h.waitFor { h.text.contains("sequence: 1") })
        Fixtures.removeSegment(f.segment)
        #expect(h.waitFor { h.state.status.hasPrefix("The segment was removed: what is shown is the last blob it held.") },
                "\(h.state.status)")
        #expect(h.text.contains("a.png"))
        _ = try Publisher.publish(file: f.dir + "/sub/inner.png", to: f.backing)
        #expect(h.waitFor { h.text.contains("inner.png") && h.text.contains("sequence: 1") }, "\(h.text)")
    }

    @Test func savesTheReceivedContent() throws {
        let f = WriterFixture()
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        let h = f.reader()
        h.press(.char("s"))
        #expect(h.text.contains("Error: nothing received to save"))
        h.press(.char("r"))
        #expect(h.waitFor { h.state.receivedFile != nil })
        h.press(.char("s"))
        #expect(h.waitFor { h.state.savePrompt != nil && h.text.contains("Save to: ") })
        #expect(h.state.savePrompt == f.dir + "/1-a.png")  // in the save folder, never over a file
        for _ in 0 ..< (h.state.savePrompt ?? "").count { h.press(.backspace) }
        h.type(f.dir + "/saved.png")
        h.press(.enter)
        #expect(h.waitFor { h.text.contains("Saved \(Fixtures.read(f.dir + "/a.png")!.count) bytes to \(f.dir)/saved.png.") })
        #expect(Fixtures.read(f.dir + "/saved.png") == Fixtures.read(f.dir + "/a.png"))
        h.press(.char("s"))
        #expect(h.waitFor { h.state.savePrompt != nil })
        h.press(.escape)
        #expect(h.text.contains("Save cancelled."))
    }

    /// A save into a FIFO whose reader stopped reading is still writing; the next `s`
    /// opens its prompt all the same (typed keys never become commands), and the save
    /// ends once the FIFO is read.
    @Test(.timeLimit(.minutes(1)))
    func aStalledSaveNeverBlocksTheNextPrompt() throws {
        let f = WriterFixture()
        let content = Fixtures.bytes(count: 1 << 20, seed: 8)
        Fixtures.write(content, to: f.dir + "/big.bin")
        _ = try Publisher.publish(file: f.dir + "/big.bin", to: f.backing)
        let fifo = f.dir + "/fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC)  // a reader that does not read yet
        try #require(reader >= 0)
        defer { close(reader) }
        let h = f.reader()
        h.press(.char("r"))
        #expect(h.waitFor { h.state.receivedFile != nil })
        h.press(.char("s"))
        #expect(h.waitFor { h.state.savePrompt != nil })
        for _ in 0 ..< (h.state.savePrompt ?? "").count { h.press(.backspace) }
        h.type(fifo)
        h.press(.enter)
        h.press(.char("s"))
        #expect(h.waitFor(seconds: 5) { h.state.savePrompt != nil }, "the prompt opens while the save is still writing")
        h.press(.escape)
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        let deadline = now() + 20
        while received.count < content.count && now() < deadline {
            var p = pollfd(fd: reader, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = read(reader, &buffer, buffer.count)
            if n > 0 { received += buffer[0 ..< n] }
        }
        #expect(received == content)
        #expect(h.waitFor { h.text.contains("Saved \(content.count) bytes to \(fifo).") })
    }

    /// Saving never replaces a file without a y; the prompt edits like a shell's.
    @Test func saveAsksBeforeReplacingAndEditsLikeAShell() throws {
        let f = WriterFixture()
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        Fixtures.write([7, 7, 7], to: f.dir + "/taken.png")
        mkdir(f.dir + "/folder-one", 0o755)
        let h = f.reader()
        h.press(.char("r"))
        #expect(h.waitFor { h.state.receivedFile != nil })
        h.press(.char("s"))
        #expect(h.waitFor { h.state.savePrompt == f.dir + "/1-a.png" })  // a.png exists there: a free name
        #expect(h.text.contains("Tab completes  Ctrl-U clears  Ctrl-W deletes a folder  Esc cancels"))
        h.press(.ctrl("u"))
        #expect(h.state.savePrompt == "")
        h.type(f.dir + "/taken.png")
        h.press(.enter)
        #expect(h.waitFor { h.state.saveConfirm == f.dir + "/taken.png" })
        #expect(h.text.contains("'\(f.dir)/taken.png' exists. Replace it? y/n"))
        #expect(Fixtures.read(f.dir + "/taken.png") == [7, 7, 7])  // untouched so far
        h.press(.char("n"))
        #expect(h.state.savePrompt == f.dir + "/taken.png" && h.state.saveConfirm == nil)
        h.press(.ctrl("w"))
        #expect(h.state.savePrompt == f.dir + "/")
        h.type("folder-o")
        h.press(.tab)
        #expect(h.waitFor { h.state.savePrompt == f.dir + "/folder-one/" })
        h.type("copy.png")
        h.press(.enter)
        #expect(h.waitFor { h.text.contains("Saved") })
        #expect(Fixtures.read(f.dir + "/folder-one/copy.png") == Fixtures.read(f.dir + "/a.png"))
        // And a y does replace.
        h.press(.char("s"))
        #expect(h.waitFor { h.state.savePrompt != nil })
        h.press(.ctrl("u"))
        h.type(f.dir + "/taken.png")
        h.press(.enter)
        #expect(h.waitFor { h.state.saveConfirm != nil })
        h.press(.char("y"))
        #expect(h.waitFor { h.text.contains("Saved") })
        #expect(Fixtures.read(f.dir + "/taken.png") == Fixtures.read(f.dir + "/a.png"))
        #expect(!(Fixtures.listing(f.dir).contains { $0.contains(".part-") }))  // no temporary file left
    }

    /// On a narrow screen the hash is shown as its two ends and a hint, never cut
    /// silently; y shows it whole. A long message wraps; m shows it whole.
    @Test func nothingIsCutSilently() throws {
        let f = WriterFixture()
        let deep = f.dir + "/a-rather-long-folder-name/and-another-one"
        _ = Spawn.run("/bin/mkdir", ["-p", deep])
        let file = deep + "/picture-with-a-long-name.png"
        Fixtures.write(Fixtures.read(f.dir + "/a.png")!, to: file)
        let published = try Publisher.publish(file: file, to: f.backing)
        let h = ReaderHarness(ReaderState(backing: f.backing, saveDirectory: f.dir), columns: 60, rows: 24)
        h.press(.char("r"))
        #expect(h.waitFor { h.state.receivedFile != nil })
        let sha = published.sha256
        #expect(!h.text.contains(sha))
        #expect(h.text.contains("sha256:   \(sha.prefix(18))\u{2026}\(sha.suffix(17))  (y: whole)"))
        #expect(h.text.contains("\u{2026}") && h.text.contains("/and-another-one/picture-with-a-long-name.png"))
        h.press(.char("y"))
        #expect(h.text.contains(String(sha.prefix(52))) && h.text.contains(String(sha.suffix(12))))
        h.press(.char("x"))
        // A message longer than two rows: its start, "(m: all)", and m shows it whole.
        h.press(.char("s"))
        #expect(h.waitFor { h.state.savePrompt != nil })
        h.press(.ctrl("u"))
        h.type("/nonexistent-folder/" + String(repeating: "deeper/", count: 12) + "x.png")
        h.press(.enter)
        #expect(h.waitFor { h.state.statusIsError })
        #expect(h.terminal.screen.rowText(23).hasSuffix("(m: all)") || h.text.contains("(m: all)"))
        h.press(.char("m"))
        #expect(h.text.contains(" message\n") && h.text.contains("No such file or directory"), "\(h.text)")
    }

    /// The apps apply the same trust rule as the commands: a segment of another user
    /// is refused in plain words, not read.
    @Test(.enabled(if: getuid() == 0)) func theReaderRefusesASegmentOfAnotherUser() throws {
        let f = WriterFixture()
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        #expect(chown("/dev/shm/" + f.segment, 65534, 65534) == 0)
        let h = f.reader()
        h.press(.char("r"))
        #expect(h.waitFor { h.state.statusIsError })
        #expect(h.state.status.contains("is not trusted: it belongs to user nobody (uid 65534), mode 0600"))
        #expect(h.state.receivedFile == nil)
        // The writer refuses to publish into it.
        let w = f.writer()
        w.press(.down, .enter)
        #expect(w.waitFor { w.state.statusIsError })
        #expect(w.state.status.contains("is not trusted"))
    }

    /// In a 40-column pane the verdict wraps into the spare row rather than being cut.
    @Test func aNarrowPaneShowsTheWholeVerdict() throws {
        let f = WriterFixture()
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        let h = ReaderHarness(ReaderState(backing: f.backing, saveDirectory: f.dir), columns: 40, rows: 24)
        h.press(.char("r"))
        #expect(h.waitFor { h.state.receivedFile != nil })
        #expect(h.terminal.screen.rowText(6).hasPrefix(" compare:  identical to the file on"))
        #expect(h.terminal.screen.rowText(7).hasPrefix("           disk"))
    }

    @Test func previewModesAndResize() throws {
        let f = WriterFixture()
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        let h = f.reader()
        h.press(.char("r"))
        #expect(h.waitFor { h.terminal.screen.cells.contains { $0.character == "\u{2580}" } })
        h.press(.char("c"))
        #expect(h.waitFor { h.text.contains("@@@") && !h.terminal.screen.cells.contains { $0.character == "\u{2580}" } })
        h.resize(columns: 50, rows: 16)
        #expect(h.waitFor { h.text.contains("@@") })
        #expect(h.press(.char("?")) && h.text.contains("blob-reader keys"))
    }

    @Test func escapesTheUntrustedPathLabel() throws {
        let f = WriterFixture()
        let seg = try BlobSegment.open(f.backing, mode: .createNew, capacity: 4096)
        _ = try ([1] as [UInt8]).withUnsafeBytes { try seg.publishFrame(path: "/x/\u{1b}]0;pwned\u{7}\u{9b}2J", content: $0) }
        let h = f.reader()
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("path:     /x/\\x1b]0;pwned\\x07\\u{9b}2J") })
        #expect(!h.terminal.screen.cells.contains { $0.character.value < 0x20 || (0x80 ..< 0xA0).contains($0.character.value) })
    }

    @Test func quittingEndsEveryWorkerThread() throws {
        let f = WriterFixture()
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        let h = f.reader(watch: true)
        h.press(.char("r"))
        #expect(h.waitFor { h.text.contains("format:   PNG") })
        #expect(h.runner.workerThreads >= 2)  // read, watch and preview lanes ran
        #expect(!h.press(.char("q")))
        #expect(h.runner.shutdown() == 0)  // every lane thread ended within the bound
        #expect(h.runner.workerThreads == 0)
    }
}

enum SHA256Hex {
    /// What `sha256sum` prints for these bytes.
    static func of(_ bytes: [UInt8]) -> String {
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        Fixtures.write(bytes, to: dir + "/f")
        return String(Spawn.run("/usr/bin/sha256sum", [dir + "/f"]).out.prefix(64))
    }
}
