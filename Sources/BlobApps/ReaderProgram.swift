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
        /// A free file name to propose in the save prompt.
        case saveProposed(String)
        /// A save ended.
        case saved(path: String, bytes: Int, Result<Void, TransferError>)
        /// Tab completion of what was typed in the save prompt.
        case completed(typed: String, completion: String)
    }

    /// Work the viewer asks for.
    public enum Effect: Sendable {
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
            return boxChanged ? requestPreview(&state, force: false) : []
        case let .key(key):
            return handle(key, &state)
        case let .event(event):
            return apply(event, &state)
        }
    }

    private static func handle(_ key: Key, _ state: inout ReaderState) -> [Effect] {
        if state.showHelp || state.showWholeStatus || state.showWholeHash {
            state.showHelp = false
            state.showWholeStatus = false
            state.showWholeHash = false
            if key == .char("q") { state.quit = true }
            return []
        }
        if state.saveConfirm != nil { return handleConfirmKey(key, &state) }
        if state.savePrompt != nil { return handleSaveKey(key, &state) }
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
            return requestPreview(&state, force: true)
        case .char("d"): toggleDifferences(&state)
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
            state.setStatus(state.shownSequence > 0
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
            state.setStatus(state.format == .article ? "Read TestData record at offset 0: NOT verified (article layout, no checksum; stable for \(Integrity.unverified(stableFor: ArticleTransfer.settle).stableMilliseconds) ms)."
                                                     : "Read TestData record, sequence \(metadata.sequence).")
        case let .file(file, comparison):
            state.segmentMissing = false
            state.content = .file(file, comparison)
            state.pixels = nil
            var effects: [Effect] = []
            let isImage = file.content.withUnsafeBytes { ImageFormat.detect($0).isPreviewable }
            if isImage && (comparison == .differs || comparison == .changedSincePublished) {
                state.pixels = (file.metadata.checksum, nil)
                effects.append(.comparePixels(key: file.metadata.checksum, content: file.content, path: file.path))
            } else {
                state.showDifferences = false
            }
            state.setStatus(state.format == .article
                ? "Read the frame at offset 0: \(file.content.count) bytes, \(file.integrity.description)."
                : "Read sequence \(file.metadata.sequence): \(file.content.count) bytes, \(file.integrity.description).")
            return effects + requestPreview(&state, force: true)
        }
        return []
    }

    /// `d`: the heat map of differing pixels in the preview area, or back to the image.
    private static func toggleDifferences(_ state: inout ReaderState) {
        if state.showDifferences {
            state.showDifferences = false
            state.setStatus("Preview: the received image.")
            return
        }
        guard let pixels = state.pixels else {
            state.setStatus("No pixel comparison: d shows where a received image differs from the file on disk.")
            return
        }
        switch pixels.result {
        case nil:
            state.setStatus("Still comparing pixels…")
        case let .success(c)? where c.heatMap != nil:
            state.showDifferences = true
            state.setStatus("Where pixels differ: red over \(ReaderProgram.strongDifference * c.depthMaximum / 65535)/\(c.depthMaximum), "
                            + "yellow below, dots equal. d: back to the image.")
        case let .success(c)?:
            state.setStatus("No pixel differs (\(c.sentence)).")
        case let .failure(e)?:
            state.setError(e.description)
        }
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
        return [.watch(state.backing, state.format, after: state.shownSequence)]
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

    public static func work(for effect: Effect) -> Work<Event> {
        switch effect {
        case let .probe(backing):
            return .run(lane: "read", replacing: false) { job in job.post(.probed(exists: Segments.exists(backing))) }
        case let .read(backing, format):
            return .run(lane: "read", replacing: false) { job in
                job.post(.received(Result { () throws(TransferError) in try Receiver.readForDisplay(from: backing, format: format) }))
            }
        case let .watch(backing, .blob, after):
            return .run(lane: "watch", replacing: true) { job in
                SegmentWatcher.watch(backing, after: after, isCancelled: { job.isCancelled },
                                     onRemoval: { job.post(.segmentRemoved) }) { job.post(.published($0)) }
            }
        case let .watch(backing, .article, _):
            return .run(lane: "watch", replacing: true) { job in
                ArticleTransfer.watch(backing, isCancelled: { job.isCancelled }) { job.post(.published($0)) }
            }
        case .stopWatching:
            return .cancel(lane: "watch")
        case let .comparePixels(key, content, path):
            return .run(lane: "compare", replacing: true) { job in
                job.post(.pixelsCompared(key: key, PictureCheck.compare(content, with: path)))
            }
        case let .preview(key, bytes, options, capabilities):
            return .run(lane: "preview", replacing: true) { job in
                let result = capabilities.pixels == nil
                    ? PreviewPainter.render(bytes, size: bytes.count, options: options) { job.isCancelled }
                    : PreviewPainter.renderPixels(bytes, columns: options.columns, rows: options.rows, capabilities: capabilities,
                                                  fallback: options) { job.isCancelled }
                job.post(.previewed(key: key, result))
            }
        case let .proposeSavePath(directory, baseName):
            // The prompt's lane, not the save's: a save still writing (a slow FIFO) never
            // keeps the next prompt from opening.
            return .run(lane: "prompt", replacing: false) { job in
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
            return .run(lane: "save", replacing: false) { job in
                job.post(.saved(path: path, bytes: bytes.count, Result { () throws(TransferError) in
                    try Files.writeAtomically(bytes, to: path, replacing: replacing)
                }))
            }
        case let .complete(typed):
            return .run(lane: "prompt", replacing: false) { job in
                job.post(.completed(typed: typed, completion: Files.complete(typed)))
            }
        }
    }
}
