import BlobCLI
import BlobCodec
import Glibc
import ImagePreview
import SharedMemory
import TerminalUI

/// blob-reader's viewer: read (`r`), watch (`w`), save (`s`), cycle preview (`c`).
public final class ReaderApp: TerminalApp {
    /// What was received last.
    public enum Content: Sendable {
        case file(Receiver.Received, comparison: String, identical: Bool?)
        case record(StructTransfer.Result, BlobMetadata)
    }

    enum Event: Sendable {
        case published(UInt64)
        case preview(String, PreviewResult)
    }

    /// The segment read.
    public let backing: SegmentBacking
    /// The last thing received.
    public private(set) var content: Content?
    /// Whether the segment is missing (the friendly screen).
    public private(set) var segmentMissing = false
    /// Whether watch mode is on.
    public private(set) var watching = false
    /// Block (colour) previews instead of ASCII.
    public private(set) var blocks = true
    /// The save prompt's text while it is open.
    public private(set) var savePrompt: String?
    /// The status line.
    public private(set) var status = "Press r to read the latest blob, w to watch."
    public private(set) var statusIsError = false
    public private(set) var showHelp = false
    /// The preview of the received content.
    public private(set) var preview: (key: String, result: PreviewResult?)?

    private let events: EventQueue<Event>
    private var worker: PreviewWorker!
    private var watcher: Watcher?
    private var capabilities = Capabilities.full
    private var lastBox = (columns: 0, rows: 0)
    private let workingDirectory: String

    /// Creates the app.
    public init(backing: SegmentBacking, waker: Waker, watch: Bool = false) {
        self.backing = backing
        events = EventQueue(waker: waker)
        let queue = events
        worker = PreviewWorker { key, r in queue.post(.preview(key, r)) }
        let cwd = getcwd(nil, 0)
        workingDirectory = cwd.map { String(cString: $0) } ?? "."
        free(cwd)
        segmentMissing = !BlobSegment.exists(backing)
        if watch { toggleWatch() }
    }

    deinit { watcher?.stop() }

    public func handle(_ key: Key) -> Bool {
        if showHelp { showHelp = false; return key != .char("q") }
        if savePrompt != nil { handleSaveKey(key); return true }
        switch key {
        case .char("q"), .ctrl("c"): return false
        case .char("r"): read()
        case .char("w"): toggleWatch()
        case .char("s"): startSave()
        case .char("c"):
            blocks.toggle()
            setStatus(blocks ? "Preview: coloured blocks." : "Preview: ASCII.")
            requestPreview(force: true)
        case .char("?"): showHelp = true
        default: break
        }
        return true
    }

    /// Reads and verifies the latest blob.
    public func read() {
        segmentMissing = !BlobSegment.exists(backing)
        if segmentMissing { setStatus("No segment yet."); return }
        do throws(CLIError) {
            guard let (meta, buffer) = try Receiver.latest(from: backing) else {
                setStatus("The segment holds no blob yet.")
                return
            }
            if meta.kind == .testData {
                content = .record(try StructTransfer.decode(meta, buffer.bytes), meta)
                preview = nil
                setStatus("Read TestData record, sequence \(meta.sequence).")
                return
            }
            let received = try Receiver.decode(metadata: meta, payload: buffer.bytes)
            let (comparison, identical) = Self.compare(received)
            content = .file(received, comparison: comparison, identical: identical)
            setStatus("Read sequence \(meta.sequence): \(received.content.count) bytes, checksum verified.")
            requestPreview(force: true)
        } catch {
            if error.exit == .missingSegment { segmentMissing = true }
            setError(error.message)
        }
    }

    /// Compares what arrived with the file its path label names, if it is on this machine.
    static func compare(_ r: Receiver.Received) -> (String, Bool?) {
        guard r.path.hasPrefix("/"), let input = try? FileIO.inspect(r.path) else { return ("source not on this machine", nil) }
        guard input.size == r.content.count, let bytes = try? FileIO.read(r.path) else {
            return ("differs from the file on disk", false)
        }
        return bytes == r.content ? ("identical to the file on disk", true) : ("differs from the file on disk", false)
    }

    private func toggleWatch() {
        if let w = watcher {
            w.stop()
            watcher = nil
            watching = false
            setStatus("Watch mode off.")
            return
        }
        watching = true
        let queue = events
        let start = (try? BlobSegment.open(backing, mode: .openExisting))?.publishedSequence ?? 0
        watcher = Watcher(backing: backing, after: start) { seq in queue.post(.published(seq)) }
        setStatus(segmentMissing ? "Watching: waiting for the segment to be created…" : "Watching: new blobs show as they land.")
    }

    private func startSave() {
        guard case let .file(r, _, _)? = content else { setError("nothing received to save (press r)"); return }
        let base = r.path.split(separator: "/").last.map(String.init) ?? "received.bin"
        var name = base.isEmpty || base == "." || base == ".." ? "received.bin" : base
        var candidate = workingDirectory + "/" + name
        var n = 1
        while access(candidate, F_OK) == 0 {
            name = "\(n)-" + base
            candidate = workingDirectory + "/" + name
            n += 1
        }
        savePrompt = candidate
    }

    private func handleSaveKey(_ key: Key) {
        switch key {
        case .escape: savePrompt = nil; setStatus("Save cancelled.")
        case .backspace: if !(savePrompt ?? "").isEmpty { savePrompt!.removeLast() }
        case let .char(c): savePrompt!.unicodeScalars.append(c)
        case .enter:
            let path = savePrompt!
            savePrompt = nil
            guard case let .file(r, _, _)? = content else { return }
            do throws(CLIError) {
                try withBytes(r.content) { (raw) throws(CLIError) in try FileIO.writeAtomically(raw, to: path) }
                setStatus("Saved \(r.content.count) bytes to \(TerminalText.escape(path)).")
            } catch {
                setError(error.message)
            }
        default: break
        }
    }

    public func drainEvents() {
        for e in events.take() {
            switch e {
            case .published:
                if watching { segmentMissing = false; read() }
            case let .preview(key, result):
                if preview?.key == key { preview = (key, result) }
            }
        }
    }

    private func requestPreview(force: Bool = false) {
        guard case let .file(r, _, _)? = content, lastBox.columns > 2, lastBox.rows > 1 else { return }
        let useBlocks = blocks && capabilities.unicode && capabilities.colors > 0
        let key = "\(r.metadata.sequence)#\(lastBox.columns)x\(lastBox.rows)\(useBlocks)"
        if !force, preview?.key == key { return }
        preview = (key, nil)
        let bytes = r.content
        worker.request(.init(key: key, load: { bytes },
                             options: PreviewPainter.options(columns: lastBox.columns, rows: lastBox.rows,
                                                             blocks: blocks, capabilities: capabilities)))
    }

    private func setStatus(_ s: String) { status = s; statusIsError = false }
    private func setError(_ s: String) { status = "Error: " + s; statusIsError = true }

    public func render(width: Int, height: Int, capabilities: Capabilities) -> Screen {
        self.capabilities = capabilities
        var s = Screen(width: width, height: height)
        guard width >= 20, height >= 5 else { s.put("Terminal too small", x: 0, y: 0); return s }
        let bar = Style(reverse: true)
        s.fill(x: 0, y: 0, width: width, height: 1, with: ScreenCell(" ", bar))
        s.put(" blob-reader  \(backing)\(watching ? "  [watching]" : "")", x: 0, y: 0, style: Style(bold: true, reverse: true))
        let color = capabilities.colors > 0
        var y = 2
        func line(_ label: String, _ value: String, _ style: Style = .plain) {
            guard y < height - 2 else { return }
            s.put(label, x: 1, y: y, style: Style(bold: true))
            s.put(value, x: 11, y: y, style: style, maxWidth: width - 12)
            y += 1
        }
        if content == nil && segmentMissing {
            let name: String
            switch backing {
            case let .sharedMemory(n): name = "'\(n.rawValue)'"
            case let .file(p): name = "file '\(TerminalText.escape(p))'"
            }
            for text in ["There is no segment \(name) yet.", "",
                         "Start blob-writer in another terminal, pick an image and press Enter,",
                         "or run:  blob-writer put FILE",
                         "", "Press w to wait for it here (watch mode), r to read, q to quit."] {
                s.put(text, x: 2, y: y, maxWidth: width - 4)
                y += 1
            }
        }
        switch content {
        case let .file(r, comparison, identical)?:
            line("path:", TerminalText.escape(r.path))
            line("bytes:", "\(r.content.count)    sequence: \(r.metadata.sequence)    published: \(Output.timestamp(nanoseconds: r.metadata.publishTimeNanoseconds))    pid: \(r.metadata.writerPID)")
            line("sha256:", r.sha256)
            var format = "…"
            switch preview?.result {
            case let .ready(info, _)?: format = "\(info.format.rawValue)  \(info.width) x \(info.height), \(info.bitDepth)-bit \(info.colorType)\(info.interlaced ? ", interlaced" : "")"
            case let .notImage(f, _)?: format = f == .unknown ? "unknown content (no preview)" : "\(f.rawValue) (no preview)"
            case let .failed(m)?: format = m
            case nil: format = "decoding…"
            }
            line("format:", format)
            let cmpStyle = identical == true ? Style(foreground: color ? 10 : nil, bold: true)
                : identical == false ? Style(foreground: color ? 9 : nil, bold: true) : Style(dim: true)
            line("compare:", comparison, cmpStyle)
            y += 1
            let box = (columns: width - 2, rows: height - 2 - y)
            if box.columns != lastBox.columns || box.rows != lastBox.rows {
                lastBox = box
                requestPreview()
            }
            if case let .ready(_, grid)? = preview?.result, y < height - 2 {
                PreviewPainter.paint(grid, into: &s, x: 1 + max(0, (box.columns - grid.width) / 2), y: y)
            }
        case let .record(r, meta)?:
            line("record:", "TestData (the seed's packed struct, 48 bytes)")
            line("sequence:", "\(meta.sequence)    published: \(Output.timestamp(nanoseconds: meta.publishTimeNanoseconds))    pid: \(meta.writerPID)")
            line("value:", r.text, Style(bold: true))
        case nil: break
        }
        if let p = savePrompt {
            s.put("Save to: " + TerminalText.escape(p) + "_", x: 0, y: height - 2, style: Style(bold: true))
        } else {
            s.put("r read  w watch  s save  c preview mode  ? keys  q quit", x: 0, y: height - 2, style: Style(dim: true))
        }
        s.put(status, x: 0, y: height - 1, style: statusIsError ? Style(foreground: color ? 9 : nil, bold: true) : .plain)
        if showHelp { HelpOverlay.draw(into: &s, lines: Self.helpLines, title: "blob-reader keys") }
        return s
    }

    /// The key reference.
    public static let helpLines = [
        "r   read the latest blob and verify it",
        "w   watch: show each new blob as it lands",
        "s   save the received content (Enter saves, Esc cancels)",
        "c   preview: coloured blocks / ASCII",
        "?   this help",
        "q   quit",
    ]
}
