import BlobTransfer
import ImagePreview
import SafeText
import TerminalUI

extension ReaderProgram {
    /// The viewer's screen, area by area: the title bar, the friendly no-segment text or
    /// the facts of what arrived with the preview (or the compare view), the key hints or
    /// the save prompt, the status line, and an overlay over all of it.
    public static func view(_ state: ReaderState, size: ScreenSize, capabilities: Capabilities) -> Screen {
        var s = Screen(width: size.columns, height: size.rows)
        if ReaderLayout(size).tooSmall {
            s.put("Terminal too small", x: 0, y: 0)
            return s
        }
        drawTitle(state, into: &s, capabilities: capabilities)
        var facts = FactLines(layout: ReaderLayout(size), width: size.columns, height: size.rows, ascii: !capabilities.unicode)
        if state.content == nil && state.segmentMissing { drawMissing(state, into: &s, at: &facts.y) }
        switch state.content {
        case let .file(file, comparison)?: drawFile(file, comparison, state, into: &s, facts: &facts, capabilities: capabilities)
        case let .record(value, meta)?: drawRecord(value, meta, state, into: &s, facts: &facts)
        case nil: break
        }
        drawBottom(state, into: &s, capabilities: capabilities)
        return s
    }

    /// The facts' rows: a bold label and its value from row 2, one after another.
    struct FactLines {
        let layout: ReaderLayout
        let width: Int, height: Int, ascii: Bool
        var y = ReaderLayout.factsTop
        var valueWidth: Int { max(1, width - 12) }

        /// One fact; `wraps`: the value may go on into the spare row before the preview (the
        /// verdict must be read whole); other values are shortened with an ellipsis.
        mutating func line(_ label: String, _ value: String, _ style: Style = .plain, wraps: Bool = false, into s: inout Screen) {
            guard y < height - 2 else { return }
            s.put(label, x: 1, y: y, style: Style(bold: true))
            let parts = wraps ? TextFit.wrap(value, valueWidth) : [value]
            if parts.count > 1 && y + 1 < layout.previewTop && y + 1 < height - 2 {
                s.put(parts[0], x: 11, y: y, style: style)
                s.put(TextFit.head(parts.dropFirst().joined(separator: " "), valueWidth, ascii: ascii), x: 11, y: y + 1, style: style)
                y += 2
            } else {
                s.put(TextFit.head(value, valueWidth, ascii: ascii), x: 11, y: y, style: style)
                y += 1
            }
        }
    }

    /// The title bar: the segment (shortened in its middle when long) and watch mode.
    static func drawTitle(_ state: ReaderState, into s: inout Screen, capabilities: Capabilities) {
        let width = s.width
        s.fill(x: 0, y: 0, width: width, height: 1, with: ScreenCell(" ", Style(reverse: true)))
        let ascii = !capabilities.unicode
        // "segment 'NAME'" when it fits, else the name alone (shortened in its middle).
        let mode = state.watching ? "  [watching]" : ""
        let room = max(1, width - 15 - mode.count)
        let shortName: String
        switch state.backing {
        case let .sharedMemory(n): shortName = n.rawValue
        case let .file(p): shortName = TerminalText.escape(p)
        }
        let what = TextFit.width("\(state.backing)") <= room ? "\(state.backing)" : TextFit.middle(shortName, room, ascii: ascii)
        s.put(" blob-reader  " + what + mode, x: 0, y: 0, style: Style(bold: true, reverse: true))
    }

    /// The friendly screen of a segment that does not exist yet, wrapped to the pane.
    static func drawMissing(_ state: ReaderState, into s: inout Screen, at y: inout Int) {
        let width = s.width, height = s.height
            let name: String
            switch state.backing {
            case let .sharedMemory(n): name = "'\(n.rawValue)'"
            case let .file(p): name = "file '\(TerminalText.escape(p))'"
            }
            // Wrapped to the pane, so it reads the same beside blob-writer or on its own.
            let next = state.watching
                ? "Watching: it shows here as soon as something is published."
                : "Press w to wait for it here (watch mode), r to read, q to quit."
            let paragraphs = ["There is no segment \(name) yet.", "",
                              "To publish into it, pick a file in blob-writer and press Enter, or run: "
                                  + "blob-writer put FILE\(state.backing.commandLineFlags)", "", next]
            for paragraph in paragraphs {
                for text in TextFit.wrap(paragraph, max(10, width - 4)) where y < height - 2 {
                    s.put(text, x: 2, y: y)
                    y += 1
                }
            }
    }

    /// A received file's facts (path, bytes, hash, format, the verdict) and the preview or
    /// compare view below them.
    static func drawFile(_ file: ReceivedFile, _ comparison: DiskComparison, _ state: ReaderState, into s: inout Screen,
                         facts: inout FactLines, capabilities: Capabilities) {
        let layout = facts.layout, height = s.height, ascii = facts.ascii
        let color = capabilities.colors > 0
        let valueWidth = facts.valueWidth
        let meta = file.metadata
        facts.line("path:", meta.kind == .bytes ? "(none: raw bytes)" : TextFit.path(TerminalText.escape(file.path), valueWidth, ascii: ascii), into: &s)
        facts.line("bytes:", "\(file.content.count)    " + provenance(meta, state.format), into: &s)
        // Whole when it fits; else both ends and how to see it all (never a silent cut
        // that someone could copy as the hash).
        let hashNote = "  (y: whole)"
        facts.line("sha256:", file.sha256.count <= valueWidth ? file.sha256
                   : TextFit.middle(file.sha256, max(9, valueWidth - hashNote.count), ascii: ascii) + hashNote, into: &s)
        let format: String
        switch state.preview?.result {
        case let .ready(info, _)?, let .pixels(info, _, _, _)?:
            format = "\(info.format.rawValue)  \(info.width) x \(info.height), \(info.bitDepth)-bit \(info.colorType)\(info.passes.map { ", " + $0 } ?? "")"
        case let .notImage(f, _, head)?:
            if case .text = head { format = "text (no image preview)" } else {
                format = (f == .unknown ? "unknown content" : f.rawValue) + " (no image preview; hex dump below)"
            }
        case let .failed(m)?: format = m
        case nil: format = "decoding…"
        }
        facts.line("format:", format, into: &s)
        var cmpStyle: Style
        switch comparison {
        case .identical: cmpStyle = Style(foreground: color ? 10 : nil, bold: true)
        case .differs, .changedSincePublished: cmpStyle = Style(foreground: color ? 9 : nil, bold: true)
        case .removedSincePublished, .notOnThisMachine, .noLabel: cmpStyle = Style(dim: true)
        }
        var verdict = comparison.sentence
        switch state.pixels?.result {
        case nil where state.pixels != nil: verdict += " (comparing pixels…)"
        case let .success(c)?:
            // Both facts: the file's state (changed since published) and the pixels'.
            verdict = comparison == .changedSincePublished ? "the file on disk changed since it was published; " + c.sentence
                : c.verdict == .samePixels ? "bytes differ, " + c.sentence : c.sentence
            if c.isSamePicture { cmpStyle = Style(foreground: color ? 11 : nil, bold: true) }
            if c.heatMap != nil { verdict += " (d: compare)" }
        case let .failure(e)?: verdict += " (\(e))"
        default: break
        }
        facts.line("compare:", verdict, cmpStyle, wraps: true, into: &s)
        let overlay = state.overlayShown
        if let compare = state.compare, layout.previewTop < height - 2 {
            drawCompare(compare, state, into: &s, capabilities: capabilities, overlay: overlay)
        } else if case let .pixels(_, _, columns, _)? = state.preview?.result, layout.previewTop < height - 2,
                  !state.overlayShown {
            // Real pixels over blank cells; never under an overlay (the backend removes it).
            s.graphic = PreviewPainter.graphic(state.preview?.result, key: state.preview!.key,
                                               x: 1 + max(0, (layout.previewBox.columns - columns) / 2),
                                               y: layout.previewTop, capabilities: capabilities)
        } else if case let .ready(_, grid)? = state.preview?.result, layout.previewTop < height - 2 {
            PreviewPainter.paint(grid, into: &s, x: 1 + max(0, (layout.previewBox.columns - grid.width) / 2),
                                 y: layout.previewTop)
        }
        if case let .notImage(_, _, head)? = state.preview?.result, layout.previewTop < height - 2 {
            PreviewPainter.paint(head, into: &s, x: 1, y: layout.previewTop, width: layout.previewBox.columns,
                                 height: layout.previewBox.rows)
        }
    }

    /// A TestData record's facts.
    static func drawRecord(_ value: TestDataValue, _ meta: BlobMetadata, _ state: ReaderState, into s: inout Screen,
                           facts: inout FactLines) {
        facts.line("record:", "TestData (the seed's packed struct, 48 bytes)", into: &s)
        if state.format.operations.numbersBlobs {
            facts.line("sequence:", "\(meta.sequence)    " + published(meta), into: &s)
        } else {
            facts.line("layout:", provenance(meta, state.format), into: &s)
        }
        facts.line("value:", value.text, Style(bold: true), into: &s)
    }

    /// The bottom rows: the save prompt or confirmation, else the key hints; the status
    /// line; and an overlay (help, the whole message, the whole hash) over everything.
    static func drawBottom(_ state: ReaderState, into s: inout Screen, capabilities: Capabilities) {
        let width = s.width, height = s.height, ascii = !capabilities.unicode, color = capabilities.colors > 0
        if let p = state.saveConfirm {
            s.put("'\(TerminalText.escape(p))' exists. Replace it? y/n", x: 0, y: height - 2, style: Style(bold: true))
        } else if let p = state.savePrompt {
            let prompt = "Save to: "
            let typed = TerminalText.escape(p) + "_"
            // Keep the end (where the cursor is) in view when the path is long.
            let room = max(1, width - prompt.count)
            s.put(prompt + (typed.count > room ? "…" + String(typed.suffix(room - 1)) : typed), x: 0, y: height - 2,
                  style: Style(bold: true))
            s.put("Tab completes  Ctrl-U clears  Ctrl-W deletes a folder  Esc cancels", x: 0, y: height - 1,
                  style: Style(dim: true))
        } else {
            s.put(StatusArea.hints(state.compare == nil ? hintLines : compareHintLines, width: width, ascii: ascii), x: 0, y: height - 2, style: Style(dim: true))
        }
        if state.savePrompt == nil && state.saveConfirm == nil {
            StatusArea.draw(state.status, style: state.statusIsError ? Style(foreground: color ? 9 : nil, bold: true) : .plain,
                            into: &s, ascii: ascii)
        }
        if state.showHelp { HelpOverlay.draw(into: &s, lines: helpLines, title: "blob-reader keys") }
        if state.showWholeStatus { StatusArea.drawWhole(state.status, into: &s) }
        if state.showWholeHash, let file = state.receivedFile {
            HelpOverlay.draw(into: &s, lines: TextFit.wrap(file.sha256, max(16, width - 8)), title: "sha256")
        }
    }

    /// The compare view in the preview area: the panes, or what it is waiting for, and the
    /// legend on the area's last row.
    static func drawCompare(_ compare: CompareSlot, _ state: ReaderState, into s: inout Screen, capabilities: Capabilities,
                            overlay: Bool) {
        let layout = ReaderLayout(state.size)
        guard case let .success(pictures)? = compare.pictures, let shape = comparePanes(state) else {
            s.put("Reading the file on disk and comparing its pixels…", x: 1, y: layout.previewTop, style: Style(dim: true))
            return
        }
        var panes = shape.panes
        let key = shape.key
        var results = compare.rendering?.key == key ? compare.rendering?.results : nil
        if case let .blink(disk) = compare.mode {
            let shown = disk ? 1 : 0
            panes = [panes[shown]]
            results = results.map { [$0[shown]] }
        }
        let parts = CompareView.draw(panes, results: results, pictures: pictures, keyPrefix: key, into: &s,
                                     capabilities: capabilities)
        if !overlay { s.graphic = PreviewPainter.combined(parts) }
        guard compare.mode == .sideBySide,
              let legend = CompareView.legend(results, pictures, width: layout.previewBox.columns, ascii: !capabilities.unicode)
        else { return }
        s.put(legend, x: 1, y: layout.previewTop + layout.previewBox.rows - 1, style: Style(dim: true))
    }

    /// Draws a heat map of differing pixels in the preview box, the image's aspect kept
    /// (cells twice as tall as wide): dots where every pixel matched, a block where some
    /// differ (red for ``ReaderProgram/strongDifference`` and more, yellow below).
    static func paintDifferences(_ heat: HeatMap, depthMaximum: Int, into s: inout Screen, box: PreviewBox, x: Int = 1,
                                 top: Int, color: Bool, ascii: Bool) {
        let aspect = Double(heat.width) / Double(heat.height) * 2  // rough: the heat map keeps the image's shape
        var columns = box.columns, rows = Int(Double(columns) / aspect)
        if rows > box.rows { rows = box.rows; columns = min(box.columns, Int(Double(rows) * aspect)) }
        columns = max(1, columns)
        rows = max(1, rows)
        let x0 = x + (box.columns - columns) / 2
        for y in 0 ..< rows {
            for x in 0 ..< columns {
                let d = heat.maximum(x0: Double(x) / Double(columns), y0: Double(y) / Double(rows),
                                     x1: Double(x + 1) / Double(columns), y1: Double(y + 1) / Double(rows))
                let cell: ScreenCell
                if d == 0 {
                    cell = ScreenCell(ascii ? "." : "\u{00B7}", Style(dim: true))
                } else {
                    let strong = Int(d) >= ReaderProgram.strongDifference
                    cell = ScreenCell(ascii ? (strong ? "#" : "+") : "\u{2588}",
                                      Style(foreground: color ? (strong ? 9 : 11) : nil, bold: strong))
                }
                s[x0 + x, top + y] = cell
            }
        }
    }

    /// The key hints at the bottom, longest first (the first that fits is shown).
    static let hintLines = [
        "r read  w watch  s save  c preview mode  d compare  ? keys  q quit",
        "r read  w watch  s save  c preview mode  ? keys  q quit",
        "r read  w watch  s save  ? keys  q quit",
        "r read  ? keys  q quit",
    ]

    /// The key hints while the compare view is open.
    static let compareHintLines = [
        "b blink received/on disk  Esc side by side  d back to the preview  r read  ? keys  q quit",
        "b blink  Esc side by side  d back  r read  ? keys  q quit",
        "b blink  d back  ? keys  q quit",
        "d back  ? keys  q quit",
    ]

    /// The key reference.
    public static let helpLines = [
        "r   read the latest blob and verify it",
        "w   watch: show each new blob as it lands",
        "s   save the received content (Enter saves, Esc cancels,",
        "    Tab completes, Ctrl-U clears, Ctrl-W deletes a folder;",
        "    an existing file is replaced only after y)",
        "c   preview: coloured blocks / ASCII",
        "d   compare: the received image, the file on disk and the",
        "    difference side by side (b blinks between the two,",
        "    Esc goes back to side by side, d back to the preview)",
        "y   the whole SHA-256 (when the screen is too narrow)",
        "m   the last message, whole",
        "?   this help",
        "q   quit",
    ]

    /// When and by whom a blob was published, or what the article's layout cannot say.
    static func provenance(_ meta: BlobMetadata, _ format: SegmentFormat) -> String {
        format.operations.provenance(meta, published: published(meta))
    }

    private static func published(_ meta: BlobMetadata) -> String {
        "published: \(Timestamp.iso8601(nanoseconds: meta.publishTimeNanoseconds))    pid: \(meta.writerPID)"
    }
}
