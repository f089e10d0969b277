import BlobCLI
import Glibc
import ImagePreview
import SharedMemory
import TerminalUI

/// blob-writer's file picker: its state, its keys and its screen, as plain values.
/// The same code runs under ncurses and under the in-memory test terminal.
public final class WriterApp: TerminalApp {
    /// Where publishes go.
    public let backing: SegmentBacking
    /// The directory shown (absolute).
    public private(set) var directory: String
    /// Everything in it.
    public private(set) var entries: [DirectoryEntry] = [] {
        didSet { foldedNames = entries.map { Self.fold($0.name) } }
    }
    /// Lower-cased UTF-8 names, made once per listing so filtering 10,000 names per
    /// keystroke allocates nothing.
    private var foldedNames: [[UInt8]] = []
    /// What the filters let through, in order.
    public private(set) var visible: [DirectoryEntry] = []
    /// Index into `visible` of the highlighted entry.
    public private(set) var selection = 0
    /// First visible row of the list.
    public private(set) var scroll = 0
    /// The name filter typed after `/`.
    public private(set) var filter = ""
    /// Whether keys go to the filter.
    public private(set) var editingFilter = false
    /// Images only (the default) or all files.
    public private(set) var imagesOnly = true
    /// Whether dot files are listed.
    public private(set) var showHidden = false
    /// Whether the key help is shown.
    public private(set) var showHelp = false
    /// The status line and whether it reports an error.
    public private(set) var status = "Pick an image and press Enter to publish it."
    public private(set) var statusIsError = false
    /// The preview of the highlighted file, by path.
    public private(set) var preview: (path: String, result: PreviewResult?)?

    private let events: EventQueue<(String, PreviewResult)>
    private var worker: PreviewWorker!
    private var lastListRows = 20
    private var lastPreviewBox = (columns: 0, rows: 0, blocks: false)
    private var capabilities = Capabilities.full
    private let capacity: Int

    /// Creates the app on a directory.
    public init(directory: String, backing: SegmentBacking, capacity: Int = BlobSegment.defaultCapacity, waker: Waker) {
        self.backing = backing
        self.capacity = capacity
        let resolved = realpath(directory, nil)
        self.directory = resolved.map { String(cString: $0) } ?? directory
        free(resolved)
        events = EventQueue(waker: waker)
        let queue = events
        worker = PreviewWorker { key, result in queue.post((key, result)) }
        load(directory: self.directory)
    }

    /// The highlighted entry.
    public var highlighted: DirectoryEntry? { visible.indices.contains(selection) ? visible[selection] : nil }

    func path(of entry: DirectoryEntry) -> String { directory == "/" ? "/" + entry.name : directory + "/" + entry.name }

    // MARK: Keys

    public func handle(_ key: Key) -> Bool {
        if showHelp {
            showHelp = false
            if key == .char("q") { return false }
            return true
        }
        if editingFilter { return handleFilterKey(key) }
        switch key {
        case .char("q"), .ctrl("c"): return false
        case .up, .char("k"): move(to: selection - 1)
        case .down, .char("j"): move(to: selection + 1)
        case .pageUp: move(to: selection - max(1, lastListRows - 1))
        case .pageDown: move(to: selection + max(1, lastListRows - 1))
        case .home, .char("g"): move(to: 0)
        case .end, .char("G"): move(to: visible.count - 1)
        case .right: if let e = highlighted, e.isDirectory { open(e) }
        case .enter: if let e = highlighted { open(e) }
        case .char("w"): if let e = highlighted, !e.isDirectory { publish(e) }
        case .backspace, .left, .char("h"): goUp()
        case .char("/"):
            editingFilter = true
        case .char("a"):
            imagesOnly.toggle()
            setStatus(imagesOnly ? "Showing images (.png .jpg .jpeg) only." : "Showing all files.")
            refilter(keeping: highlighted?.name)
        case .char("."):
            showHidden.toggle()
            setStatus(showHidden ? "Showing hidden files." : "Hiding hidden files.")
            refilter(keeping: highlighted?.name)
        case .char("t"): publishStruct()
        case .char("?"): showHelp = true
        case .escape:
            if !filter.isEmpty { filter = ""; refilter(keeping: highlighted?.name) }
        case .resize: break
        default: break
        }
        return true
    }

    private func handleFilterKey(_ key: Key) -> Bool {
        switch key {
        case .escape:
            editingFilter = false
            filter = ""
            refilter(keeping: highlighted?.name)
        case .enter:
            editingFilter = false
            if let e = highlighted { open(e) }
        case .backspace:
            if filter.isEmpty { editingFilter = false } else { filter.removeLast(); refilter(keeping: nil) }
        case .up: move(to: selection - 1)
        case .down: move(to: selection + 1)
        case .ctrl("c"): return false
        case let .char(c):
            filter.unicodeScalars.append(c)
            refilter(keeping: nil)
        default: break
        }
        return true
    }

    private func move(to index: Int) {
        guard !visible.isEmpty else { return }
        let clamped = min(max(index, 0), visible.count - 1)
        if clamped != selection {
            selection = clamped
            requestPreview()
        }
    }

    private func open(_ e: DirectoryEntry) {
        if e.isDirectory {
            filter = ""
            load(directory: path(of: e))
        } else {
            publish(e)
        }
    }

    private func goUp() {
        guard directory != "/" else { return }
        let name = String(directory[directory.index(after: directory.lastIndex(of: "/")!)...])
        let parent = String(directory[..<directory.lastIndex(of: "/")!])
        filter = ""
        load(directory: parent.isEmpty ? "/" : parent, select: name)
    }

    /// Lists a directory; an unreadable one leaves the current listing and says why.
    public func load(directory dir: String, select name: String? = nil) {
        switch DirectoryListing.read(dir) {
        case let .success(list):
            directory = dir
            entries = list
            selection = 0
            scroll = 0
            refilter(keeping: name)
            if !statusIsError || name == nil { setStatus("\(TerminalText.escape(dir)): \(list.count) entries") }
        case let .failure(e):
            setError("cannot open \(TerminalText.escape(dir)): \(e.message)")
        }
    }

    private func refilter(keeping name: String?) {
        let needle = Self.fold(filter)
        var out = [DirectoryEntry]()
        for (i, e) in entries.enumerated() {
            if !showHidden && e.isHidden { continue }
            if imagesOnly && !e.isDirectory && !e.isImage { continue }
            if !needle.isEmpty && !Self.contains(foldedNames[i], needle) { continue }
            out.append(e)
        }
        visible = out
        if let name, let i = visible.firstIndex(where: { $0.name == name }) { selection = i } else { selection = 0 }
        requestPreview()
    }

    static func fold(_ s: String) -> [UInt8] {
        s.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }
    }

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

    // MARK: Publishing

    private func publish(_ e: DirectoryEntry) {
        do throws(CLIError) {
            let r = try Publisher.publish(file: path(of: e), to: backing, capacity: capacity)
            setStatus("Published \(TerminalText.escape(e.name)): sequence \(r.sequence), \(r.contentLength) bytes, sha256 \(r.sha256.prefix(16))…")
        } catch {
            setError(error.message)
        }
    }

    private func publishStruct() {
        do throws(CLIError) {
            let r = try StructTransfer.publish(to: backing)
            setStatus("Published TestData: sequence \(r.sequence), \(r.text)")
        } catch {
            setError(error.message)
        }
    }

    private func setStatus(_ s: String) { status = s; statusIsError = false }
    private func setError(_ s: String) { status = "Error: " + s; statusIsError = true }

    // MARK: Preview

    private func requestPreview() {
        guard let e = highlighted, !e.isDirectory, lastPreviewBox.columns > 2, lastPreviewBox.rows > 1 else {
            worker.cancel()
            preview = nil
            return
        }
        let p = path(of: e)
        let key = "\(p)#\(lastPreviewBox.columns)x\(lastPreviewBox.rows)\(lastPreviewBox.blocks)"
        if preview?.path == key { return }
        preview = (key, nil)
        let cap = capacity
        worker.request(.init(key: key, load: { Self.readForPreview(p, limit: max(cap, 64 << 20)) },
                             options: PreviewPainter.options(columns: lastPreviewBox.columns, rows: lastPreviewBox.rows,
                                                             blocks: lastPreviewBox.blocks, capabilities: capabilities)))
    }

    static func readForPreview(_ path: String, limit: Int) -> [UInt8]? {
        var st = stat()
        guard stat(path, &st) == 0, Int(st.st_size) <= limit else { return nil }
        return try? FileIO.read(path)
    }

    public func drainEvents() {
        for (key, result) in events.take() where preview?.path == key {
            preview = (key, result)
        }
    }

    // MARK: Rendering

    public func render(width: Int, height: Int, capabilities: Capabilities) -> Screen {
        self.capabilities = capabilities
        var s = Screen(width: width, height: height)
        guard width >= 20, height >= 5 else {
            s.put("Terminal too small", x: 0, y: 0)
            return s
        }
        let bar = Style(reverse: true)
        s.fill(x: 0, y: 0, width: width, height: 1, with: ScreenCell(" ", bar))
        let segmentName: String
        switch backing {
        case let .sharedMemory(n): segmentName = n.rawValue
        case let .file(p): segmentName = TerminalText.escape(p)
        }
        let title = " blob-writer  \(TerminalText.escape(directory))"
        let right = " segment: \(segmentName) "
        s.put(title, x: 0, y: 0, style: Style(bold: true, reverse: true), maxWidth: max(0, width - right.count - 1))
        s.put(right, x: max(0, width - right.count), y: 0, style: bar)

        let listTop = 1, listRows = height - 3
        let showPreview = width >= 60
        let listWidth = showPreview ? min(max(width * 2 / 5, 30), width - 24) : width
        lastListRows = listRows
        let box = (columns: width - listWidth - 3, rows: listRows - 2, blocks: capabilities.unicode && capabilities.colors > 0)
        if showPreview && (box.columns != lastPreviewBox.columns || box.rows != lastPreviewBox.rows || box.blocks != lastPreviewBox.blocks) {
            lastPreviewBox = box
            requestPreview()
        } else if !showPreview && lastPreviewBox.columns != 0 {
            lastPreviewBox = (0, 0, false)
            requestPreview()
        }

        // The list.
        if selection < scroll { scroll = selection }
        if selection >= scroll + listRows { scroll = selection - listRows + 1 }
        if visible.isEmpty {
            let why = entries.isEmpty ? "(empty directory)" : imagesOnly ? "(no images here: press a for all files)" : "(nothing matches)"
            s.put(why, x: 1, y: listTop, style: Style(dim: true), maxWidth: listWidth - 1)
        }
        for row in 0 ..< listRows {
            let i = scroll + row
            guard i < visible.count else { break }
            let e = visible[i]
            let selected = i == selection
            let style = selected ? Style(bold: e.isDirectory, reverse: true)
                : e.isDirectory ? Style(foreground: capabilities.colors > 0 ? 12 : nil, bold: true) : .plain
            if selected { s.fill(x: 0, y: listTop + row, width: listWidth, height: 1, with: ScreenCell(" ", style)) }
            let size = e.isDirectory ? "" : DirectoryListing.humanSize(e.size)
            let name = TerminalText.escape(e.name) + (e.isDirectory ? "/" : "")
            s.put(name, x: 1, y: listTop + row, style: style, maxWidth: max(1, listWidth - size.count - 3))
            s.put(size, x: max(1, listWidth - size.count - 1), y: listTop + row, style: style)
        }

        // The preview pane.
        if showPreview {
            let px = listWidth + 1
            let sep: Unicode.Scalar = capabilities.unicode ? "\u{2502}" : "|"
            for y in listTop ..< listTop + listRows { s[listWidth, y] = ScreenCell(sep, Style(dim: true)) }
            if let e = highlighted, !e.isDirectory {
                var caption = TerminalText.escape(e.name)
                switch preview?.result {
                case nil: caption += "  (decoding…)"
                case let .ready(info, grid)?:
                    caption += "  \(info.width)x\(info.height) \(info.bitDepth)-bit \(info.colorType)"
                    PreviewPainter.paint(grid, into: &s, x: px + 1, y: listTop + 1)
                case let .notImage(format, size)?:
                    caption += "  \(format == .unknown ? "unknown content" : format.rawValue), \(size) bytes: no preview"
                case let .failed(message)?:
                    caption += "  \(message)"
                }
                s.put(caption, x: px + 1, y: listTop, style: Style(bold: true), maxWidth: width - px - 2)
            }
        }

        // Filter or key hints, then the status line.
        let hintRow = height - 2
        if editingFilter || !filter.isEmpty {
            s.put("/" + TerminalText.escape(filter) + (editingFilter ? "_" : ""), x: 0, y: hintRow, style: Style(bold: true))
            s.put("  \(visible.count) of \(entries.count)", x: filter.count + 3, y: hintRow, style: Style(dim: true))
        } else {
            s.put("Enter publish  / filter  a all/images  . hidden  t struct  ? keys  q quit", x: 0, y: hintRow,
                  style: Style(dim: true))
        }
        let statusStyle = statusIsError ? Style(foreground: capabilities.colors > 0 ? 9 : nil, bold: true) : .plain
        s.put(status, x: 0, y: height - 1, style: statusStyle)

        if showHelp { HelpOverlay.draw(into: &s, lines: Self.helpLines, title: "blob-writer keys") }
        return s
    }

    /// The key reference.
    public static let helpLines = [
        "Up/Down, j/k      move",
        "PgUp/PgDn         page",
        "Home/End, g/G     first / last",
        "Enter, Right      open folder / publish file",
        "w                 publish the highlighted file",
        "Backspace, Left   parent folder",
        "/                 filter by name (Esc clears, Enter opens)",
        "a                 images only / all files",
        ".                 show / hide hidden files",
        "t                 publish the sample TestData struct",
        "?                 this help",
        "q                 quit",
    ]
}

/// A centred box with lines of help.
enum HelpOverlay {
    static func draw(into s: inout Screen, lines: [String], title: String) {
        let w = min(s.width - 2, (lines.map(\.count).max() ?? 10) + 4)
        let h = min(s.height - 2, lines.count + 4)
        let x = max(0, (s.width - w) / 2), y = max(0, (s.height - h) / 2)
        s.fill(x: x, y: y, width: w, height: h, with: ScreenCell(" ", Style(reverse: true)))
        s.put(" \(title) ", x: x + 2, y: y, style: Style(bold: true, reverse: true), maxWidth: w - 4)
        for (i, line) in lines.enumerated() where i + 2 < h - 1 {
            s.put(line, x: x + 2, y: y + 2 + i, style: Style(reverse: true), maxWidth: w - 4)
        }
        s.put("any key closes", x: x + 2, y: y + h - 1, style: Style(reverse: true, dim: true), maxWidth: w - 4)
    }
}
