import BlobApps
import BlobTransfer
import ImagePreview
import SharedMemory
import Testing
import TerminalUI
import TestSupport

/// Both apps as values: every key through `reduce` alone (no runner, no threads), and the
/// state and effects it gives. The end-to-end tests drive the same apps for real.
@Suite struct ReduceTests {
    static let backing = SegmentBacking.sharedMemory(try! SegmentName("reduce-test"))

    // MARK: the writer

    /// A writer showing /d: a folder, two images and a text file (all files shown).
    static func writer() -> WriterState {
        var s = WriterState(directory: "/d", backing: backing)
        _ = WriterProgram.reduce(&s, .resize(ScreenSize(columns: 100, rows: 30), .full))
        let entries = [DirectoryEntry(name: "sub", isDirectory: true, size: 0), DirectoryEntry(name: "a.png", isDirectory: false, size: 3),
                       DirectoryEntry(name: "b.png", isDirectory: false, size: 4), DirectoryEntry(name: "c.txt", isDirectory: false, size: 5)]
        _ = WriterProgram.reduce(&s, .event(.listed(directory: "/d", select: nil, quiet: false, .success(entries))))
        return s
    }

    static func press(_ s: inout WriterState, _ keys: Key...) -> [WriterProgram.Effect] {
        keys.flatMap { WriterProgram.reduce(&s, .key($0)) }
    }

    static func previewPath(_ effects: [WriterProgram.Effect]) -> String? {
        for case let .preview(_, path, _, _, _) in effects { return path }
        return nil
    }

    @Test func writerMovingKeysMoveTheHighlightAndAskForItsPreview() {
        var s = Self.writer()
        #expect(s.visible.map(\.name) == ["sub", "a.png", "b.png"])  // images only: c.txt hidden
        for (key, expected) in [(Key.down, "a.png"), (.char("j"), "b.png"), (.up, "a.png"), (.char("k"), "sub"),
                                (.end, "b.png"), (.home, "sub"), (.char("G"), "b.png"), (.char("g"), "sub"),
                                (.pageDown, "b.png"), (.pageUp, "sub")] {
            let effects = Self.press(&s, key)
            #expect(s.highlighted?.name == expected, "\(key)")
            if expected != "sub" { #expect(Self.previewPath(effects) == "/d/" + expected, "\(key): \(effects)") }
        }
    }

    @Test func writerOpeningAndPublishingKeys() {
        var s = Self.writer()
        // Right and Enter open a folder; Right on a file does nothing; Enter and w publish it.
        #expect(Self.press(&s, .right).first == .list(directory: "/d/sub", select: nil, quiet: false))
        s = Self.writer()
        #expect(Self.press(&s, .enter).first == .list(directory: "/d/sub", select: nil, quiet: false))
        s = Self.writer()
        _ = Self.press(&s, .down)
        #expect(Self.press(&s, .right).isEmpty)
        let publish = WriterProgram.Effect.publish(path: "/d/a.png", name: "a.png", backing: Self.backing, format: .blob, capacity: nil)
        #expect(Self.press(&s, .enter) == [publish])
        #expect(Self.press(&s, .char("w")) == [publish])
        // Backspace, Left and h go up to the parent, selecting the folder left.
        for key in [Key.backspace, .left, .char("h")] {
            var t = Self.writer()
            #expect(Self.press(&t, key).first == .list(directory: "/", select: "d", quiet: false), "\(key)")
        }
        #expect(Self.press(&s, .char("t")) == [.publishRecord(backing: Self.backing, format: .blob)])
        #expect(Self.press(&s, .char("R")) == [.list(directory: "/d", select: "a.png", quiet: false)])
    }

    @Test func writerFilterKeys() {
        var s = Self.writer()
        _ = Self.press(&s, .char("/"))
        #expect(s.editingFilter)
        _ = Self.press(&s, .char("b"), .char("."))
        #expect(s.filter == "b." && s.visible.map(\.name) == ["b.png"])
        _ = Self.press(&s, .backspace, .backspace)
        #expect(s.filter.isEmpty && s.visible.count == 3)
        _ = Self.press(&s, .char("p"), .down, .up)
        #expect(s.filter == "p" && s.highlighted?.name == "a.png")
        _ = Self.press(&s, .escape)
        #expect(!s.editingFilter && s.filter.isEmpty)
        _ = Self.press(&s, .char("/"), .char("b"), .char("."))
        #expect(Self.press(&s, .enter).first == .publish(path: "/d/b.png", name: "b.png", backing: Self.backing, format: .blob, capacity: nil))
        #expect(!s.editingFilter && s.filter == "b.")
        _ = Self.press(&s, .escape)  // outside the prompt: clears the filter
        #expect(s.filter.isEmpty)
        _ = Self.press(&s, .char("/"), .backspace)  // Backspace on an empty filter leaves it
        #expect(!s.editingFilter)
        _ = Self.press(&s, .char("/"), .ctrl("c"))
        #expect(WriterProgram.isFinished(s))
    }

    @Test func writerViewKeys() {
        var s = Self.writer()
        _ = Self.press(&s, .char("a"))
        #expect(!s.imagesOnly && s.visible.count == 4 && s.status.hasPrefix("All files."))
        _ = Self.press(&s, .char("."))
        #expect(s.showHidden && s.status.hasPrefix("Dot files shown."))
        _ = Self.press(&s, .char("?"))
        #expect(s.showHelp)
        _ = Self.press(&s, .char("x"))  // any key closes an overlay
        #expect(!s.showHelp)
        _ = Self.press(&s, .char("m"))
        #expect(s.showWholeStatus)
        _ = Self.press(&s, .char("q"))  // q in an overlay closes it and quits
        #expect(WriterProgram.isFinished(s))
        for key in [Key.char("q"), .ctrl("c")] {
            var t = Self.writer()
            #expect(Self.press(&t, key).isEmpty && WriterProgram.isFinished(t))
        }
    }

    // MARK: the reader

    static let content = PNGWriter.rgb(width: 8, height: 4) { _, _ in (1, 2, 3) }

    /// A reader that has read a PNG labelled /pics/p.png which `comparison` describes.
    static func reader(_ comparison: DiskComparison = .differs) -> ReaderState {
        var s = ReaderState(backing: backing, saveDirectory: "/save")
        _ = ReaderProgram.reduce(&s, .resize(ScreenSize(columns: 100, rows: 30), .full))
        let meta = BlobMetadata(sequence: 3, kind: .imageData, length: content.count, checksum: 77, publishTimeNanoseconds: 0, writerPID: 1)
        let file = ReceivedFile(metadata: meta, path: "/pics/p.png", content: content, sha256: "00")
        _ = ReaderProgram.reduce(&s, .event(.received(.success(.file(file, comparison)))))
        return s
    }

    static func press(_ s: inout ReaderState, _ keys: Key...) -> [ReaderProgram.Effect] {
        keys.flatMap { ReaderProgram.reduce(&s, .key($0)) }
    }

    @Test func readerReadWatchAndModeKeys() {
        var s = ReaderState(backing: Self.backing, saveDirectory: "/save")
        #expect(ReaderProgram.reduce(&s, .start) == [.probe(Self.backing)])
        #expect(Self.press(&s, .char("r")) == [.read(Self.backing, .blob)])
        #expect(Self.press(&s, .char("w")) == [.watch(Self.backing, .blob, after: 0)] && s.watching)
        #expect(Self.press(&s, .char("w")) == [.stopWatching] && !s.watching)
        var t = Self.reader()
        let effects = Self.press(&t, .char("c"))
        #expect(!t.blocks && t.status == "Preview: ASCII.")
        guard case .preview? = effects.first else { Issue.record("c asks for a new preview: \(effects)"); return }
        _ = Self.press(&t, .char("?"))
        #expect(t.showHelp)
        _ = Self.press(&t, .char("z"))
        _ = Self.press(&t, .char("m"))
        #expect(t.showWholeStatus)
        _ = Self.press(&t, .escape, .char("y"))
        #expect(t.showWholeHash)
        _ = Self.press(&t, .char("q"))
        #expect(ReaderProgram.isFinished(t))
        var u = Self.reader()
        _ = Self.press(&u, .ctrl("c"))
        #expect(ReaderProgram.isFinished(u))
    }

    @Test func readerSaveKeys() {
        var s = Self.reader()
        #expect(Self.press(&s, .char("s")) == [.proposeSavePath(directory: "/save", baseName: "p.png")])
        _ = ReaderProgram.reduce(&s, .event(.saveProposed("/save/p.png")))
        #expect(s.savePrompt == "/save/p.png")
        _ = Self.press(&s, .backspace, .backspace, .backspace, .char("j"), .char("p"), .char("g"))
        #expect(s.savePrompt == "/save/p.jpg")
        #expect(Self.press(&s, .tab) == [.complete("/save/p.jpg")])
        _ = Self.press(&s, .ctrl("w"))
        #expect(s.savePrompt == "/save/")
        _ = Self.press(&s, .ctrl("u"))
        #expect(s.savePrompt == "")
        _ = Self.press(&s, .char("/"), .char("x"))
        #expect(Self.press(&s, .enter) == [.save(bytes: Self.content, path: "/x", replacing: false)] && s.savePrompt == nil)
        // An existing file: y replaces, n goes back to the prompt, Esc too.
        _ = ReaderProgram.reduce(&s, .event(.saved(path: "/x", bytes: 3, .failure(.outputExists(path: "/x")))))
        #expect(s.saveConfirm == "/x")
        _ = Self.press(&s, .char("n"))
        #expect(s.saveConfirm == nil && s.savePrompt == "/x")
        _ = ReaderProgram.reduce(&s, .event(.saved(path: "/x", bytes: 3, .failure(.outputExists(path: "/x")))))
        #expect(Self.press(&s, .char("y")) == [.save(bytes: Self.content, path: "/x", replacing: true)])
        _ = ReaderProgram.reduce(&s, .event(.saved(path: "/x", bytes: 3, .failure(.outputExists(path: "/x")))))
        _ = Self.press(&s, .escape)
        #expect(s.saveConfirm == nil && s.savePrompt == "/x")
        _ = Self.press(&s, .escape)
        #expect(s.savePrompt == nil && s.status == "Save cancelled.")
        var empty = ReaderState(backing: Self.backing, saveDirectory: "/save")
        #expect(Self.press(&empty, .char("s")).isEmpty && empty.statusIsError)
    }

    @Test func readerCompareKeys() {
        var s = Self.reader(.differs)
        #expect(Self.press(&s, .char("d")) == [.loadComparison(key: 77, content: Self.content, path: "/pics/p.png", identical: false)])
        #expect(s.compare?.mode == .sideBySide)
        let pictures = CompareView.Pictures(received: Self.content, disk: Self.content, comparison: nil)
        let render = ReaderProgram.reduce(&s, .event(.comparisonLoaded(key: 77, .success(pictures))))
        guard case let .renderComparison(_, drawn, panes, _, _)? = render.first else { Issue.record("no render: \(render)"); return }
        #expect(drawn == pictures && panes.map(\.side) == [.received, .disk, .difference])
        let blink = Self.press(&s, .char("b"))
        #expect(s.compare?.mode == .blink(showingDisk: false) && blink.count == 1)
        _ = Self.press(&s, .char("b"))
        #expect(s.compare?.mode == .blink(showingDisk: true))
        _ = Self.press(&s, .escape)
        #expect(s.compare?.mode == .sideBySide)
        _ = Self.press(&s, .char("d"))
        #expect(s.compare == nil)
        _ = Self.press(&s, .char("d"), .escape)
        #expect(s.compare == nil)
        var identical = Self.reader(.identical)
        #expect(Self.press(&identical, .char("d")) == [.loadComparison(key: 77, content: Self.content, path: "/pics/p.png", identical: true)])
        var gone = Self.reader(.removedSincePublished)
        #expect(Self.press(&gone, .char("d")).isEmpty && gone.compare == nil)
        var nothing = ReaderState(backing: Self.backing, saveDirectory: "/save")
        #expect(Self.press(&nothing, .char("d")).isEmpty && nothing.statusIsError)
    }
}
