import BlobApps
import BlobCLI
import Glibc
import SharedMemory
import Testing
import TerminalUI
import TestSupport

@Suite struct ReaderAppTests {
    @Test func friendlyScreenThenReadWithComparison() throws {
        let f = WriterFixture()
        let reader = ReaderApp(backing: f.backing, waker: f.waker)
        let h = Harness(reader, waker: f.waker)
        #expect(h.text.contains("There is no segment '\(f.segment)' yet."))
        h.press(.char("r"))
        #expect(h.text.contains("There is no segment"))
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        h.press(.char("r"))
        #expect(h.text.contains("path:     \(f.dir)/a.png"))
        #expect(h.text.contains("compare:  identical to the file on disk"))
        let sha = SHA256Hex.of(Fixtures.read(f.dir + "/a.png")!)
        #expect(h.text.contains("sha256:   \(sha)"))
        #expect(h.waitFor { h.text.contains("format:   PNG  40 x 20, 8-bit RGB") })
        // Changed on disk after sending: differs.
        Fixtures.write([1, 2, 3], to: f.dir + "/a.png")
        h.press(.char("r"))
        #expect(h.text.contains("compare:  differs from the file on disk"))
        // A label naming no local file.
        let seg = try BlobSegment.open(f.backing, mode: .openExisting)
        _ = try ([9, 9] as [UInt8]).withUnsafeBytes { try seg.publishFrame(path: "C:\\Users\\x\\remote.png", content: $0) }
        h.press(.char("r"))
        #expect(h.text.contains("compare:  source not on this machine"))
        #expect(h.waitFor { h.text.contains("unknown content (no preview)") })
    }

    @Test func watchModeShowsNewBlobsAndWaitsForTheSegment() throws {
        let f = WriterFixture()
        let reader = ReaderApp(backing: f.backing, waker: f.waker)
        let h = Harness(reader, waker: f.waker)
        h.press(.char("w"))
        #expect(reader.watching && h.text.contains("[watching]"))
        // The segment does not exist yet; publishing creates it and the blob shows up.
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        #expect(h.waitFor { h.text.contains("sequence: 1") })
        _ = try Publisher.publish(file: f.dir + "/sub/inner.png", to: f.backing)
        #expect(h.waitFor { h.text.contains("sequence: 2") && h.text.contains("inner.png") })
        _ = try StructTransfer.publish(to: f.backing)
        #expect(h.waitFor { h.text.contains("value:    Id=100,Age=20,Scores=60,61,62,63,64,65,66,67,68,69") })
        h.press(.char("w"))
        #expect(!reader.watching)
    }

    @Test func savesTheReceivedContent() throws {
        let f = WriterFixture()
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        let reader = ReaderApp(backing: f.backing, waker: f.waker)
        let h = Harness(reader, waker: f.waker)
        h.press(.char("s"))
        #expect(h.text.contains("Error: nothing received to save"))
        h.press(.char("r"), .char("s"))
        #expect(reader.savePrompt != nil && h.text.contains("Save to: "))
        for _ in 0 ..< (reader.savePrompt ?? "").count { h.press(.backspace) }
        h.type(f.dir + "/saved.png")
        h.press(.enter)
        #expect(h.text.contains("Saved \(Fixtures.read(f.dir + "/a.png")!.count) bytes to \(f.dir)/saved.png."))
        #expect(Fixtures.read(f.dir + "/saved.png") == Fixtures.read(f.dir + "/a.png"))
        h.press(.char("s"), .escape)
        #expect(h.text.contains("Save cancelled."))
    }

    @Test func previewModesAndResize() throws {
        let f = WriterFixture()
        _ = try Publisher.publish(file: f.dir + "/a.png", to: f.backing)
        let reader = ReaderApp(backing: f.backing, waker: f.waker)
        let h = Harness(reader, waker: f.waker)
        h.press(.char("r"))
        #expect(h.waitFor { h.terminal.screen.cells.contains { $0.character == "\u{2580}" } })
        h.press(.char("c"))
        #expect(h.waitFor { h.text.contains("@@@") && !h.terminal.screen.cells.contains { $0.character == "\u{2580}" } })
        h.terminal.size = (50, 16)
        h.press(.resize)
        #expect(h.waitFor { h.text.contains("@@") })
        #expect(h.press(.char("?")) && h.text.contains("blob-reader keys"))
    }

    @Test func escapesTheUntrustedPathLabel() throws {
        let f = WriterFixture()
        let seg = try BlobSegment.open(f.backing, mode: .createNew, capacity: 4096)
        _ = try ([1] as [UInt8]).withUnsafeBytes { try seg.publishFrame(path: "/x/\u{1b}]0;pwned\u{7}\u{9b}2J", content: $0) }
        let reader = ReaderApp(backing: f.backing, waker: f.waker)
        let h = Harness(reader, waker: f.waker)
        h.press(.char("r"))
        #expect(h.text.contains("path:     /x/\\x1b]0;pwned\\x07\\u{9b}2J"))
        #expect(!h.terminal.screen.cells.contains { $0.character.value < 0x20 || (0x80 ..< 0xA0).contains($0.character.value) })
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
