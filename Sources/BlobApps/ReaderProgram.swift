import BlobTransfer
import ImagePreview
import SafeText
import TerminalUI

/// blob-reader's viewer as a ``TerminalProgram``: read (`r`), watch (`w`), save (`s`),
/// preview mode (`c`). Reading, verifying, hashing, comparing with the file on disk,
/// decoding, saving and waiting for publishes are effects run off the UI thread.
public enum ReaderProgram: TerminalProgram {
    /// Results of the viewer's effects.
    public enum Event: Sendable {
        /// Whether the segment exists (asked once at start).
        case probed(exists: Bool)
        /// One read of the segment.
        case received(Result<Reception, TransferError>)
        /// Watch mode saw a publish.
        case published(UInt64)
        /// The watched segment was removed (the watch goes on for a new one).
        case segmentRemoved
        /// A preview finished decoding.
        case previewed(key: String, PreviewResult)
        /// The pixel comparison of content (XXH3 `key`) with the file on disk ended.
        case pixelsCompared(key: UInt64, Result<PixelComparison, PictureCheck.Failure>)
        /// The compare view's images for content (XXH3 `key`) were loaded and compared.
        case comparisonLoaded(key: UInt64, Result<CompareView.Pictures, PictureCheck.Failure>)
        /// The compare view's panes were drawn (for the layout `key`).
        case comparisonRendered(key: String, [PreviewResult?])
        /// A free file name to propose in the save prompt.
        case saveProposed(String)
        /// A save ended.
        case saved(path: String, bytes: Int, Result<Void, TransferError>)
        /// Tab completion of what was typed in the save prompt.
        case completed(typed: String, completion: String)
    }

    /// Work the viewer asks for.
    public enum Effect: Sendable, Equatable {
        /// Check whether the segment exists.
        case probe(SegmentBacking)
        /// Read, verify and decode the latest blob; compare a file with the one on disk.
        case read(SegmentBacking, SegmentFormat)
        /// Follow publishes newer than `after` (and the segment's creation) until cancelled;
        /// for the article's layout, every change of its bytes.
        case watch(SegmentBacking, SegmentFormat, after: UInt64)
        /// Stop following publishes.
        case stopWatching
        /// Decode a preview of received bytes (as pixels when `capabilities` has a pixel
        /// protocol).
        case preview(key: String, bytes: [UInt8], options: PreviewOptions, capabilities: Capabilities)
        /// Compare received content (XXH3 `key`) with the file at `path` by pixels.
        case comparePixels(key: UInt64, content: [UInt8], path: String)
        /// Read the file at `path` and compare received content (XXH3 `key`) with it, with the
        /// difference picture, for the compare view (`identical`: the bytes are the file's).
        case loadComparison(key: UInt64, content: [UInt8], path: String, identical: Bool)
        /// Draw the compare view's panes (layout `key`).
        case renderComparison(key: String, pictures: CompareView.Pictures, panes: [CompareView.Pane], blocks: Bool,
                              capabilities: Capabilities)
        /// Find a name in `directory` for `baseName` that does not exist yet.
        case proposeSavePath(directory: String, baseName: String)
        /// Write bytes to a path (atomically); an existing file only when `replacing`.
        case save(bytes: [UInt8], path: String, replacing: Bool)
        /// Complete a path typed in the save prompt.
        case complete(String)
    }

    public static func isFinished(_ state: ReaderState) -> Bool { state.quit }

    // MARK: reduce

    public static func reduce(_ state: inout ReaderState, _ input: ProgramInput<Event>) -> [Effect] {
        switch input {
        case .start:
            var effects: [Effect] = [.probe(state.backing)]
            if state.watchAtStart { effects += toggleWatch(&state) }
            return effects
        case let .resize(size, capabilities):
            let boxChanged = ReaderLayout(size).previewBox != ReaderLayout(state.size).previewBox
                || capabilities != state.capabilities
            state.size = size
            state.capabilities = capabilities
            return boxChanged ? requestPreview(&state, force: false) + requestCompareRender(&state, force: false) : []
        case let .key(key):
            return handle(key, &state)
        case let .event(event):
            return apply(event, &state)
        }
    }

    private static func handle(_ key: Key, _ state: inout ReaderState) -> [Effect] {
        if state.overlayShown {
            state.showHelp = false
            state.showWholeStatus = false
            state.showWholeHash = false
            if key == .char("q") { state.quit = true }
            return []
        }
        if state.saveConfirm != nil { return handleConfirmKey(key, &state) }
        if state.savePrompt != nil { return handleSaveKey(key, &state) }
        if let compare = state.compare {
            switch key {
            case .char("b"):
                let disk: Bool
                if case let .blink(showingDisk) = compare.mode { disk = !showingDisk } else { disk = false }
                state.compare!.mode = .blink(showingDisk: disk)
                state.setStatus(disk ? "Blink: the file on disk. b: the received image, Esc: side by side."
                                     : "Blink: the received image. b: the file on disk, Esc: side by side.")
                return requestCompareRender(&state, force: false)
            case .escape where compare.mode != .sideBySide:
                state.compare!.mode = .sideBySide
                state.setStatus(compareSentence(state))
                return requestCompareRender(&state, force: false)
            case .escape, .char("d"):
                state.compare = nil
                state.setStatus("Preview: the received image.")
                return []
            default: break
            }
        }
        switch key {
        case .char("q"), .ctrl("c"): state.quit = true
        case .char("r"): return [.read(state.backing, state.format)]
        case .char("w"): return toggleWatch(&state)
        case .char("s"):
            guard let file = state.receivedFile else {
                state.setError("nothing received to save (press r)")
                return []
            }
            return [.proposeSavePath(directory: state.saveDirectory, baseName: saveName(for: file.path))]
        case .char("c"):
            state.blocks.toggle()
            state.setStatus(state.blocks ? "Preview: coloured blocks." : "Preview: ASCII.")
            return requestPreview(&state, force: true) + requestCompareRender(&state, force: false)
        case .char("d"): return openCompare(&state, mode: .sideBySide)
        case .char("?"): state.showHelp = true
        case .char("m"): state.showWholeStatus = true
        case .char("y"): if state.receivedFile != nil { state.showWholeHash = true }
        default: break
        }
        return []
    }

    private static func handleSaveKey(_ key: Key, _ state: inout ReaderState) -> [Effect] {
        switch key {
        case .escape:
            state.savePrompt = nil
            state.setStatus("Save cancelled.")
        case .backspace:
            if !(state.savePrompt ?? "").isEmpty { state.savePrompt!.removeLast() }
        case .ctrl("u"):
            state.savePrompt = ""
        case .ctrl("w"):
            state.savePrompt = dropLastComponent(state.savePrompt!)
        case .tab:
            return [.complete(state.savePrompt!)]
        case let .char(c):
            state.savePrompt!.unicodeScalars.append(c)
        case .enter:
            let path = state.savePrompt!
            state.savePrompt = nil
            guard let file = state.receivedFile, !path.isEmpty else { return [] }
            return [.save(bytes: file.content, path: path, replacing: false)]
        default: break
        }
        return []
    }

    /// `y` replaces the existing file; `n` or Esc goes back to the prompt to change the name.
    private static func handleConfirmKey(_ key: Key, _ state: inout ReaderState) -> [Effect] {
        let path = state.saveConfirm!
        switch key {
        case .char("y"), .char("Y"):
            state.saveConfirm = nil
            guard let file = state.receivedFile else { return [] }
            return [.save(bytes: file.content, path: path, replacing: true)]
        case .char("n"), .char("N"), .escape:
            state.saveConfirm = nil
            state.savePrompt = path
            state.setStatus("Not replaced: change the name, or Esc to cancel.")
        default: break
        }
        return []
    }

    /// Ctrl-W in the prompt: removes the last path component (and its `/`, if that is
    /// all that is left of it), like a shell's word rub-out on a path.
    static func dropLastComponent(_ text: String) -> String {
        var t = Substring(text)
        if t.last == "/" { t.removeLast() }
        while let last = t.last, last != "/" { t.removeLast() }
        return String(t)
    }

    private static func apply(_ event: Event, _ state: inout ReaderState) -> [Effect] {
        switch event {
        case let .probed(exists):
            state.segmentMissing = !exists
            if state.watching && !exists {
                state.setStatus("Watching: waiting for the segment to be created…")
            }
        case let .received(.success(reception)):
            return received(reception, &state)
        case let .received(.failure(error)):
            if error.segmentIsMissing { state.segmentMissing = true }
            state.setError(error.description)
        case .segmentRemoved:
            guard state.watching else { break }
            state.segmentMissing = true
            state.setStatus(state.shownSequence != nil
                ? "The segment was removed: what is shown is the last blob it held. Watching for a new one…"
                : "The segment was removed. Watching: waiting for it to be created…")
        case .published:
            if state.watching {
                state.segmentMissing = false
                return [.read(state.backing, state.format)]
            }
        case let .previewed(key, result):
            if state.preview?.key == key { state.preview = PreviewSlot(key: key, result: result) }
        case let .pixelsCompared(key, result):
            if state.pixels?.key == key { state.pixels = (key, result) }
        case let .comparisonLoaded(key, result):
            guard state.compare?.key == key else { break }
            if case let .failure(e) = result {
                state.compare = nil
                state.setError(e.description)
                break
            }
            state.compare!.pictures = result
            return requestCompareRender(&state, force: true)
        case let .comparisonRendered(key, results):
            if state.compare?.rendering?.key == key { state.compare!.rendering = (key, results) }
        case let .saveProposed(path):
            if state.receivedFile != nil { state.savePrompt = path }
        case let .saved(path, bytes, .success):
            state.setStatus("Saved \(bytes) bytes to \(TerminalText.escape(path)).")
        case let .saved(path, _, .failure(.outputExists)):
            state.saveConfirm = path
            state.setStatus("")
        case let .saved(_, _, .failure(error)):
            state.setError(error.description)
        case let .completed(typed, completion):
            if state.savePrompt == typed { state.savePrompt = completion }
        }
        return []
    }

    private static func received(_ reception: Reception, _ state: inout ReaderState) -> [Effect] {
        switch reception {
        case .segmentMissing:
            state.segmentMissing = true
            state.setStatus("No segment yet.")
        case .empty:
            state.segmentMissing = false
            state.setStatus("The segment holds no blob yet.")
        case let .record(value, metadata):
            state.segmentMissing = false
            state.content = .record(value, metadata)
            state.preview = nil
            state.setStatus(state.format.operations.readRecordSentence(metadata))
        case let .file(file, comparison):
            state.segmentMissing = false
            state.content = .file(file, comparison)
            state.pixels = nil
            var effects: [Effect] = []
            let isImage = file.content.withUnsafeBytes { ImageFormat.detect($0).isPreviewable }
            if isImage && (comparison == .differs || comparison == .changedSincePublished) {
                state.pixels = (file.metadata.checksum, nil)
                effects.append(.comparePixels(key: file.metadata.checksum, content: file.content, path: file.path))
            }
            state.setStatus(state.format.operations.readFileSentence(file.metadata, bytes: file.content.count, integrity: file.integrity))
            // An open compare view follows what arrived (watch mode), or says why it cannot.
            if let open = state.compare {
                state.compare = nil
                effects += openCompare(&state, mode: open.mode, announce: false)
            }
            return effects + requestPreview(&state, force: true)
        }
        return []
    }

    /// `d`: the compare view of the received image and the file on disk, or why there is
    /// none.
    /// `announce`: say so in the status line (not when the view reopens for a new blob,
    /// whose read the status line reports; a reason it cannot reopen is said either way).
    private static func openCompare(_ state: inout ReaderState, mode: CompareView.Mode, announce: Bool = true) -> [Effect] {
        guard case let .file(file, comparison)? = state.content else {
            state.setError("nothing received to compare (press r)")
            return []
        }
        guard file.content.withUnsafeBytes({ ImageFormat.detect($0).isPreviewable }) else {
            state.setStatus("The compare view shows images: what arrived is \(ContentHead.kindName(of: file.content)).")
            return []
        }
        switch comparison {
        case .removedSincePublished, .notOnThisMachine, .noLabel:
            state.setStatus("Nothing on disk to compare with: \(comparison.sentence).")
            return []
        case .identical, .differs, .changedSincePublished: break
        }
        state.compare = CompareSlot(key: file.metadata.checksum, mode: mode, pictures: nil, rendering: nil)
        if announce { state.setStatus(compareSentence(state)) }
        return [.loadComparison(key: file.metadata.checksum, content: file.content, path: file.path,
                                identical: comparison == .identical)]
    }

    /// The status line of the side-by-side compare view.
    static func compareSentence(_ state: ReaderState) -> String {
        if case let .file(_, comparison)? = state.content, comparison == .identical {
            return "Identical: the received bytes are the file on disk, so every pixel is the same. b: blink, d: back."
        }
        return "Compare: received | on disk | difference. b: blink, d: back."
    }

    /// The compare view's panes for the current screen and mode (blink: both sides in the
    /// whole area, one shown at a time), and the key naming that layout.
    static func comparePanes(_ state: ReaderState) -> (panes: [CompareView.Pane], key: String)? {
        guard let compare = state.compare else { return nil }
        let layout = ReaderLayout(state.size)
        let box = layout.previewBox
        guard box.columns > 2, box.rows > 2 else { return nil }
        var aspect = 4.0 / 3.0
        if case let .success(p)? = compare.pictures { aspect = p.aspect }
        let caps = state.capabilities
        let cellAspect = CompareView.cellAspect(caps)
        let panes: [CompareView.Pane]
        switch compare.mode {
        case .sideBySide:
            panes = CompareView.layout([.received, .disk, .difference], x: 1, y: layout.previewTop, columns: box.columns,
                                       rows: box.rows - 1, aspect: aspect, cellAspect: cellAspect)
        case .blink:
            let one = CompareView.layout([.received], x: 1, y: layout.previewTop, columns: box.columns, rows: box.rows,
                                         aspect: aspect, cellAspect: cellAspect)[0]
            var disk = one
            disk.side = .disk
            panes = [one, disk]
        }
        let shape = panes.map { "\($0.x),\($0.y),\($0.columns)x\($0.rows)" }.joined(separator: ";")
        let key = "\(compare.key)#\(shape)#\(state.blocks)\(caps.colors)\(caps.truecolor)\(caps.pixels?.rawValue ?? "")"
        return (panes, key)
    }

    /// Asks for the compare view's panes at the current layout; `force` asks again even
    /// when the same layout is drawn (new pictures).
    private static func requestCompareRender(_ state: inout ReaderState, force: Bool) -> [Effect] {
        guard case let .success(pictures)? = state.compare?.pictures, let (panes, key) = comparePanes(state) else { return [] }
        if !force, state.compare?.rendering?.key == key { return [] }
        state.compare!.rendering = (key, nil)
        return [.renderComparison(key: key, pictures: pictures, panes: panes, blocks: state.blocks, capabilities: state.capabilities)]
    }

    /// A difference (16-bit units) the heat map shows red: 16/255 and over.
    static let strongDifference = 16 * 257

    private static func toggleWatch(_ state: inout ReaderState) -> [Effect] {
        if state.watching {
            state.watching = false
            state.setStatus("Watch mode off.")
            return [.stopWatching]
        }
        state.watching = true
        state.setStatus(state.segmentMissing ? "Watching: waiting for the segment to be created…"
                                       : "Watching: new blobs show as they land.")
        return [.watch(state.backing, state.format, after: state.shownSequence ?? 0)]
    }

    /// Asks for a preview of the received file at the current box; `force` asks again
    /// even when the same preview is shown (a new read, another mode).
    private static func requestPreview(_ state: inout ReaderState, force: Bool) -> [Effect] {
        let box = ReaderLayout(state.size).previewBox
        guard let file = state.receivedFile, box.columns > 2, box.rows > 1 else { return [] }
        let useBlocks = state.blocks && state.capabilities.unicode && state.capabilities.colors > 0
        let key = "\(file.metadata.sequence):\(file.metadata.checksum)#\(box.columns)x\(box.rows)\(useBlocks)\(state.capabilities.pixels?.rawValue ?? "")"
        if !force, state.preview?.key == key { return [] }
        state.preview = PreviewSlot(key: key, result: nil)
        let options = PreviewPainter.options(columns: box.columns, rows: box.rows, blocks: state.blocks,
                                             capabilities: state.capabilities)
        return [.preview(key: key, bytes: file.content, options: options, capabilities: state.capabilities)]
    }

    /// The file name a save proposes: the label's last component, or `received.bin`.
    static func saveName(for label: String) -> String {
        let base = label.split(separator: "/").last.map(String.init) ?? ""
        return base.isEmpty || base == "." || base == ".." ? "received.bin" : base
    }



    // MARK: effects

    /// The reader's worker lanes (each a thread of its own, in order): named here, once.
    enum Lane: String {
        case compare
        case compareView = "compare-view"
        case compareViewDraw = "compare-view-draw"
        case preview
        case prompt
        case read
        case save
        case watch
    }

    public static func work(for effect: Effect) -> Work<Event> {
        switch effect {
        case let .probe(backing):
            return .run(lane: Lane.read.rawValue, replacing: false) { job in job.post(.probed(exists: Segments.exists(backing))) }
        case let .read(backing, format):
            return .run(lane: Lane.read.rawValue, replacing: false) { job in
                job.post(.received(Result { () throws(TransferError) in try Receiver.readForDisplay(from: backing, format: format) }))
            }
        case let .watch(backing, format, after):
            return .run(lane: Lane.watch.rawValue, replacing: true) { job in
                format.operations.watch(backing, after: after, isCancelled: { job.isCancelled },
                                        onRemoval: { job.post(.segmentRemoved) }) { job.post(.published($0)) }
            }
        case .stopWatching:
            return .cancel(lane: Lane.watch.rawValue)
        case let .comparePixels(key, content, path):
            return .run(lane: Lane.compare.rawValue, replacing: true) { job in
                job.post(.pixelsCompared(key: key, PictureCheck.compare(content, with: path)))
            }
        case let .preview(key, bytes, options, capabilities):
            return .run(lane: Lane.preview.rawValue, replacing: true) { job in
                let result = capabilities.pixels == nil
                    ? PreviewPainter.render(bytes, size: bytes.count, options: options) { job.isCancelled }
                    : PreviewPainter.renderPixels(bytes, columns: options.columns, rows: options.rows, capabilities: capabilities,
                                                  fallback: options) { job.isCancelled }
                job.post(.previewed(key: key, result))
            }
        case let .loadComparison(key, content, path, identical):
            return .run(lane: Lane.compareView.rawValue, replacing: true) { job in
                guard !identical else {
                    job.post(.comparisonLoaded(key: key, .success(CompareView.Pictures(received: content, disk: content, comparison: nil))))
                    return
                }
                let loaded = PictureCheck.readFile(path).flatMap { disk -> Result<CompareView.Pictures, PictureCheck.Failure> in
                    let sides = ("the received blob", "the file on disk '\(TerminalText.escape(path))'")
                    // The difference picture takes 4 bytes a pixel more: without it (the
                    // heat map instead) when that is over the budget.
                    let compared = PictureCheck.compare(content, disk, sides: sides, differencePicture: true)
                        .flatMapError { _ in PictureCheck.compare(content, disk, sides: sides) }
                    return compared.map { CompareView.Pictures(received: content, disk: disk, comparison: $0) }
                }
                job.post(.comparisonLoaded(key: key, loaded))
            }
        case let .renderComparison(key, pictures, panes, blocks, capabilities):
            return .run(lane: Lane.compareViewDraw.rawValue, replacing: true) { job in
                job.post(.comparisonRendered(key: key, CompareView.render(pictures, panes: panes, blocks: blocks,
                                                                          capabilities: capabilities) { job.isCancelled }))
            }
        case let .proposeSavePath(directory, baseName):
            // The prompt's lane, not the save's: a save still writing (a slow FIFO) never
            // keeps the next prompt from opening.
            return .run(lane: Lane.prompt.rawValue, replacing: false) { job in
                var name = baseName
                var candidate = directory + "/" + name
                var n = 1
                while Files.exists(candidate) {
                    name = "\(n)-" + baseName
                    candidate = directory + "/" + name
                    n += 1
                }
                job.post(.saveProposed(candidate))
            }
        case let .save(bytes, path, replacing):
            return .run(lane: Lane.save.rawValue, replacing: false) { job in
                job.post(.saved(path: path, bytes: bytes.count, Result { () throws(TransferError) in
                    try Files.writeAtomically(bytes, to: path, replacing: replacing)
                }))
            }
        case let .complete(typed):
            return .run(lane: Lane.prompt.rawValue, replacing: false) { job in
                job.post(.completed(typed: typed, completion: Files.complete(typed)))
            }
        }
    }
}
