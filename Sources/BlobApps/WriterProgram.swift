import BlobTransfer
import SafeText
import Glibc
import ImagePreview
import TerminalUI

/// blob-writer's file picker as a ``TerminalProgram``: pure `reduce` and `view` over
/// ``WriterState``; listing, decoding and publishing are effects run off the UI thread.
public enum WriterProgram: TerminalProgram {
    /// Results of the picker's effects.
    public enum Event: Sendable {
        /// A directory was listed (or could not be); `select` is the name to highlight;
        /// `quiet` for a refresh (the status line is left alone).
        case listed(directory: String, select: String?, quiet: Bool, Result<[DirectoryEntry], ListingError>)
        /// Something in the shown directory changed.
        case directoryChanged(String)
        /// A preview finished decoding.
        case previewed(key: String, PreviewResult)
        /// A file publish ended.
        case published(name: String, Result<PublishedFile, TransferError>)
        /// A TestData publish ended.
        case recordPublished(Result<TestDataValue, TransferError>)
    }

    /// Work the picker asks for.
    public enum Effect: Sendable, Equatable {
        /// List a directory (`quiet`: a refresh of the one shown).
        case list(directory: String, select: String?, quiet: Bool)
        /// Report changes to a directory's entries until another directory is shown.
        case watchDirectory(String)
        /// Read `path` (at most `limit` bytes) and decode a preview of it.
        case preview(key: String, path: String, limit: Int, options: PreviewOptions, capabilities: Capabilities)
        /// Abandon any preview being decoded.
        case cancelPreview
        /// Publish a file.
        case publish(path: String, name: String, backing: SegmentBacking, format: SegmentFormat, capacity: Int?)
        /// Publish the sample TestData record.
        case publishRecord(backing: SegmentBacking, format: SegmentFormat)
    }

    public static func isFinished(_ state: WriterState) -> Bool { state.quit }

    // MARK: reduce

    public static func reduce(_ state: inout WriterState, _ input: ProgramInput<Event>) -> [Effect] {
        var effects: [Effect]
        switch input {
        case .start:
            effects = [.list(directory: state.directory, select: nil, quiet: false)]
        case let .resize(size, capabilities):
            state.size = size
            state.capabilities = capabilities
            effects = resized(&state)
        case let .key(key):
            effects = handle(key, &state)
        case let .event(event):
            effects = apply(event, &state)
        }
        keepSelectionInView(&state)
        return effects
    }

    private static func resized(_ state: inout WriterState) -> [Effect] {
        let layout = WriterLayout(state.size, state.capabilities)
        guard layout.previewBox != state.previewBox else { return [] }
        state.previewBox = layout.previewBox
        return requestPreview(&state)
    }

    private static func handle(_ key: Key, _ state: inout WriterState) -> [Effect] {
        if state.showHelp || state.showWholeStatus {
            state.showHelp = false
            state.showWholeStatus = false
            if key == .char("q") { state.quit = true }
            return []
        }
        if state.editingFilter { return handleFilterKey(key, &state) }
        let page = max(1, WriterLayout(state.size, state.capabilities).listRows - 1)
        switch key {
        case .char("q"), .ctrl("c"): state.quit = true
        case .up, .char("k"): return move(to: state.selection - 1, &state)
        case .down, .char("j"): return move(to: state.selection + 1, &state)
        case .pageUp: return move(to: state.selection - page, &state)
        case .pageDown: return move(to: state.selection + page, &state)
        case .home, .char("g"): return move(to: 0, &state)
        case .end, .char("G"): return move(to: state.visible.count - 1, &state)
        case .right: if let e = state.highlighted, e.isDirectory { return enter(e, &state) }
        case .enter: if let e = state.highlighted { return enter(e, &state) }
        case .char("w"): if let e = state.highlighted, !e.isDirectory { return publish(e, &state) }
        case .backspace, .left, .char("h"): return goUp(&state)
        case .char("/"): state.editingFilter = true
        case .char("a"):
            state.imagesOnly.toggle()
            let effects = refilter(keeping: state.highlighted?.name, &state)
            state.setCountStatus((state.imagesOnly ? "Images (.png .jpg .jpeg) only. " : "All files. ") + countStatus(state))
            return effects
        case .char("."):
            state.showHidden.toggle()
            let effects = refilter(keeping: state.highlighted?.name, &state)
            state.setCountStatus((state.showHidden ? "Dot files shown. " : "Dot files hidden. ") + countStatus(state))
            return effects
        case .char("t"):
            state.setStatus("Publishing TestData…")
            return [.publishRecord(backing: state.backing, format: state.format)]
        case .char("R"):
            state.setStatus("Reloading \(TerminalText.escape(state.directory))…")
            return [.list(directory: state.directory, select: state.highlighted?.name, quiet: false)]
        case .char("?"): state.showHelp = true
        case .char("m"): state.showWholeStatus = true
        case .escape:
            if !state.filter.isEmpty {
                state.filter = ""
                return refilter(keeping: state.highlighted?.name, &state)
            }
        default: break
        }
        return []
    }

    private static func handleFilterKey(_ key: Key, _ state: inout WriterState) -> [Effect] {
        switch key {
        case .escape:
            state.editingFilter = false
            state.filter = ""
            return refilter(keeping: state.highlighted?.name, &state)
        case .enter:
            state.editingFilter = false
            if let e = state.highlighted { return enter(e, &state) }
        case .backspace:
            if state.filter.isEmpty {
                state.editingFilter = false
            } else {
                state.filter.removeLast()
                return refilter(keeping: nil, &state)
            }
        case .up: return move(to: state.selection - 1, &state)
        case .down: return move(to: state.selection + 1, &state)
        case .ctrl("c"): state.quit = true
        case let .char(c):
            state.filter.unicodeScalars.append(c)
            return refilter(keeping: nil, &state)
        default: break
        }
        return []
    }

    /// The status line after a listing (the title bar names the folder): how many
    /// entries it holds, and when the settings hide some, how many are shown and the keys
    /// that show the rest. Short enough for the demo's 40-column pane.
    static func countStatus(_ state: WriterState) -> String {
        let total = state.entries.count
        if state.listable == total { return "\(total) \(total == 1 ? "entry" : "entries")" }
        var keys: [String] = []
        if state.hiddenByType > 0 { keys.append("a: all") }
        if state.hiddenAsDotFiles > 0 { keys.append(".: dot files") }
        return "\(state.listable) of \(total) shown (" + keys.joined(separator: ", ") + ")"
    }

    private static func apply(_ event: Event, _ state: inout WriterState) -> [Effect] {
        switch event {
        case let .listed(directory, select, quiet, .success(list)):
            if quiet && directory != state.directory { return [] }  // a refresh of a folder left since
            let moved = directory != state.directory || !state.watchingDirectory
            // A refresh keeps what is highlighted now (keys may have moved it since the
            // refresh was asked for) and the scroll position; a new folder starts at the top.
            let keep = quiet ? state.highlighted?.name : select
            state.directory = directory
            state.entries = list
            state.selection = 0
            if !quiet { state.scroll = 0 }
            var effects = refilter(keeping: keep, &state)
            // A refresh keeps the count current when the status still shows the count.
            if !quiet && (!state.statusIsError || select == nil) || quiet && state.statusShowsCount {
                state.setCountStatus(Self.countStatus(state))
            }
            if moved {
                state.watchingDirectory = true
                effects.append(.watchDirectory(directory))
            }
            return effects
        case let .listed(directory, _, _, .failure(error)):
            state.setError("cannot open \(TerminalText.escape(directory)): \(error.message)")
        case let .directoryChanged(directory):
            if directory == state.directory {
                return [.list(directory: directory, select: nil, quiet: true)]
            }
        case let .previewed(key, result):
            if state.preview?.key == key { state.preview = PreviewSlot(key: key, result: result) }
        case let .published(name, .success(r)):
            let at = state.format.operations.landed(sequence: r.sequence)
            state.setStatus("Published \(TerminalText.escape(name)): \(at), \(r.contentLength) bytes, sha256 \(r.sha256.prefix(16))…")
        case let .published(_, .failure(error)), let .recordPublished(.failure(error)):
            state.setError(error.description)
        case let .recordPublished(.success(r)):
            state.setStatus("Published TestData: \(state.format.operations.landed(sequence: r.sequence)), \(r.text)")
        }
        return []
    }

    private static func move(to index: Int, _ state: inout WriterState) -> [Effect] {
        guard !state.visible.isEmpty else { return [] }
        let clamped = min(max(index, 0), state.visible.count - 1)
        guard clamped != state.selection else { return [] }
        state.selection = clamped
        // An error was about what was highlighted or done before: moving on ends it.
        if state.statusIsError { state.setCountStatus(countStatus(state)) }
        return requestPreview(&state)
    }

    private static func enter(_ e: DirectoryEntry, _ state: inout WriterState) -> [Effect] {
        guard e.isDirectory else { return publish(e, &state) }
        state.filter = ""
        return [.list(directory: state.path(of: e), select: nil, quiet: false)]
    }

    private static func goUp(_ state: inout WriterState) -> [Effect] {
        let dir = state.directory
        guard dir != "/", let slash = dir.lastIndex(of: "/") else { return [] }
        let name = String(dir[dir.index(after: slash)...])
        let parent = String(dir[..<slash])
        state.filter = ""
        return [.list(directory: parent.isEmpty ? "/" : parent, select: name, quiet: false)]
    }

    private static func publish(_ e: DirectoryEntry, _ state: inout WriterState) -> [Effect] {
        state.setStatus("Publishing \(TerminalText.escape(e.name))…")
        return [.publish(path: state.path(of: e), name: e.name, backing: state.backing,
                         format: state.format, capacity: state.capacity)]
    }

    private static func refilter(keeping name: String?, _ state: inout WriterState) -> [Effect] {
        let needle = WriterState.fold(state.filter)
        var out = [DirectoryEntry]()
        var listable = 0, byType = 0, asDotFiles = 0
        for (i, e) in state.entries.enumerated() {
            if !state.showHidden && e.isHidden { asDotFiles += 1; continue }
            if state.imagesOnly && !e.isDirectory && !e.isImage { byType += 1; continue }
            listable += 1
            if !needle.isEmpty && !contains(state.foldedNames[i], needle) { continue }
            out.append(e)
        }
        state.visible = out
        state.listable = listable
        (state.hiddenByType, state.hiddenAsDotFiles) = (byType, asDotFiles)
        if let name, let i = out.firstIndex(where: { $0.name == name }) { state.selection = i } else { state.selection = 0 }
        return requestPreview(&state)
    }

    /// Asks for a preview of the highlighted file at the current box, unless that very
    /// preview is already shown or on its way; cancels it when there is nothing to show.
    private static func requestPreview(_ state: inout WriterState) -> [Effect] {
        let box = state.previewBox
        guard let e = state.highlighted, e.isRegularFile, box.columns > 2, box.rows > 1 else {
            state.preview = nil
            return [.cancelPreview]
        }
        let path = state.path(of: e)
        let key = "\(path)#\(box.columns)x\(box.rows)\(box.blocks)\(state.capabilities.pixels?.rawValue ?? "")"
        if state.preview?.key == key { return [] }
        state.preview = PreviewSlot(key: key, result: nil)
        let options = PreviewPainter.options(columns: box.columns, rows: box.rows, blocks: box.blocks,
                                             capabilities: state.capabilities)
        return [.preview(key: key, path: path, limit: max(state.capacity ?? 0, 64 << 20), options: options,
                         capabilities: state.capabilities)]
    }

    private static func keepSelectionInView(_ state: inout WriterState) {
        let rows = WriterLayout(state.size, state.capabilities).listRows
        if state.selection < state.scroll { state.scroll = state.selection }
        if rows > 0, state.selection >= state.scroll + rows { state.scroll = state.selection - rows + 1 }
    }



    /// Whether `needle` occurs in `hay` (bytes), without allocating.
    static func contains(_ hay: [UInt8], _ needle: [UInt8]) -> Bool {
        let n = needle.count
        guard n <= hay.count else { return false }
        return hay.withUnsafeBufferPointer { h in
            needle.withUnsafeBufferPointer { nd in
                var i = 0
                while i + n <= h.count {
                    if h[i] == nd[0] && memcmp(h.baseAddress! + i, nd.baseAddress!, n) == 0 { return true }
                    i += 1
                }
                return false
            }
        }
    }

    // MARK: effects

    /// The writer's worker lanes (each a thread of its own, in order): named here, once.
    enum Lane: String {
        case directoryWatch = "directory-watch"
        case list
        case preview
        case publish
    }

    public static func work(for effect: Effect) -> Work<Event> {
        switch effect {
        case let .list(directory, select, quiet):
            return .run(lane: Lane.list.rawValue, replacing: true) { job in
                job.post(.listed(directory: directory, select: select, quiet: quiet, DirectoryListing.read(directory)))
            }
        case let .watchDirectory(directory):
            return .run(lane: Lane.directoryWatch.rawValue, replacing: true) { job in
                DirectoryListing.watch(directory, isCancelled: { job.isCancelled }) { job.post(.directoryChanged(directory)) }
            }
        case let .preview(key, path, limit, options, capabilities):
            return .run(lane: Lane.preview.rawValue, replacing: true) { job in
                job.post(.previewed(key: key, PreviewPainter.load(path, limit: limit, options: options,
                                                                  capabilities: capabilities) { job.isCancelled }))
            }
        case .cancelPreview:
            return .cancel(lane: Lane.preview.rawValue)
        case let .publish(path, name, backing, format, capacity):
            return .run(lane: Lane.publish.rawValue, replacing: false) { job in
                job.post(.published(name: name, Result { () throws(TransferError) in
                    try Publisher.publish(file: path, to: backing, format: format, capacity: capacity)
                }))
            }
        case let .publishRecord(backing, format):
            return .run(lane: Lane.publish.rawValue, replacing: false) { job in
                job.post(.recordPublished(Result { () throws(TransferError) in try RecordTransfer.publish(to: backing, format: format) }))
            }
        }
    }
}
