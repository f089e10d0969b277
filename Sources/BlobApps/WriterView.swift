import BlobTransfer
import ImagePreview
import SafeText
import TerminalUI

extension WriterProgram {
    /// The picker's screen: title bar, the list, the preview pane, hints and status.
    public static func view(_ state: WriterState, size: ScreenSize, capabilities: Capabilities) -> Screen {
        let width = size.columns, height = size.rows
        var s = Screen(width: width, height: height)
        let layout = WriterLayout(size, capabilities)
        if layout.tooSmall {
            s.put("Terminal too small", x: 0, y: 0)
            return s
        }
        let bar = Style(reverse: true)
        s.fill(x: 0, y: 0, width: width, height: 1, with: ScreenCell(" ", bar))
        let segmentName: String
        switch state.backing {
        case let .sharedMemory(n): segmentName = n.rawValue
        case let .file(p): segmentName = TerminalText.escape(p)
        }
        // The folder keeps its most specific part; the segment keeps its name: labelled
        // when there is room, else the name alone (shortened in its middle if it must be).
        let ascii = !capabilities.unicode
        let labelled = " segment: \(segmentName) "
        let right = TextFit.width(labelled) <= width / 2
            ? labelled : " " + TextFit.middle(segmentName, max(4, width / 3), ascii: ascii) + " "
        let label = " blob-writer  "
        let room = max(1, width - TextFit.width(right) - label.count - 1)
        s.put(label + TextFit.path(TerminalText.escape(state.directory), room, ascii: ascii), x: 0, y: 0,
              style: Style(bold: true, reverse: true))
        s.put(right, x: max(0, width - TextFit.width(right)), y: 0, style: bar)

        drawList(state, layout, capabilities, into: &s)
        if layout.showPreview { drawPreviewPane(state, layout, capabilities, into: &s) }

        // Filter or key hints, then the status line. While a filter is shown the status
        // keeps to one row, so what is listed never looks like all there is.
        let hintRow = height - 2
        let filtering = state.editingFilter || !state.filter.isEmpty
        // Where the highlight is, when the list is longer than the screen shows.
        let position = state.visible.count > layout.listRows ? " \(state.selection + 1)/\(state.visible.count)" : ""
        if filtering {
            let typed = s.put("/" + TerminalText.escape(state.filter) + (state.editingFilter ? "_" : ""), x: 0, y: hintRow,
                              style: Style(bold: true))
            s.put("  \(state.visible.count) of \(state.listable)", x: typed, y: hintRow, style: Style(dim: true))
        } else {
            s.put(StatusArea.hints(hintLines, width: width - position.count, ascii: ascii), x: 0, y: hintRow, style: Style(dim: true))
        }
        if !position.isEmpty && !filtering { s.put(position, x: width - position.count, y: hintRow, style: Style(bold: true)) }
        let statusStyle = state.statusIsError ? Style(foreground: capabilities.colors > 0 ? 9 : nil, bold: true) : .plain
        StatusArea.draw(state.status, style: statusStyle, into: &s, ascii: ascii, rows: filtering ? 1 : 2)

        if state.showHelp { HelpOverlay.draw(into: &s, lines: helpLines, title: "blob-writer keys") }
        if state.showWholeStatus { StatusArea.drawWhole(state.status, into: &s) }
        return s
    }

    private static func drawList(_ state: WriterState, _ layout: WriterLayout, _ capabilities: Capabilities,
                                 into s: inout Screen) {
        let listWidth = layout.listWidth
        if state.visible.isEmpty {
            let why = state.entries.isEmpty ? "(empty directory)"
                : state.imagesOnly ? "(no images here: press a for all files)" : "(nothing matches)"
            s.put(why, x: 1, y: layout.listTop, style: Style(dim: true), maxWidth: listWidth - 1)
        }
        for row in 0 ..< layout.listRows {
            let i = state.scroll + row
            guard i < state.visible.count else { break }
            let e = state.visible[i]
            let y = layout.listTop + row
            let selected = i == state.selection
            let style = selected ? Style(bold: e.isDirectory, reverse: true)
                : e.isDirectory ? Style(foreground: capabilities.colors > 0 ? 12 : nil, bold: true) : .plain
            if selected { s.fill(x: 0, y: y, width: listWidth, height: 1, with: ScreenCell(" ", style)) }
            let size = e.isDirectory ? "" : e.isRegularFile ? ByteCount.human(e.size) : e.kind.rawValue
            let name = TerminalText.escape(e.name) + (e.isDirectory ? "/" : "")
            s.put(TextFit.middle(name, max(1, listWidth - size.count - 3), ascii: !capabilities.unicode), x: 1, y: y, style: style)
            s.put(size, x: max(1, listWidth - size.count - 1), y: y, style: style)
        }
    }

    private static func drawPreviewPane(_ state: WriterState, _ layout: WriterLayout, _ capabilities: Capabilities,
                                        into s: inout Screen) {
        let px = layout.listWidth + 1
        let sep: Unicode.Scalar = capabilities.unicode ? "\u{2502}" : "|"
        for y in layout.listTop ..< layout.listTop + layout.listRows { s[layout.listWidth, y] = ScreenCell(sep, Style(dim: true)) }
        guard let e = state.highlighted, !e.isDirectory else { return }
        var caption = TerminalText.escape(e.name)
        guard e.isRegularFile else {
            caption += "  \(e.kind.rawValue): not a regular file, never opened"
            s.put(TextFit.head(caption, s.width - px - 2, ascii: !capabilities.unicode), x: px + 1, y: layout.listTop,
                  style: Style(bold: true))
            return
        }
        switch state.preview?.result {
        case nil: caption += "  (decoding…)"
        case let .ready(info, grid)?:
            caption += "  \(info.width)x\(info.height) \(info.bitDepth)-bit \(info.colorType)"
            PreviewPainter.paint(grid, into: &s, x: px + 1, y: layout.listTop + 1)
        case let .pixels(info, _, _, _)?:
            caption += "  \(info.width)x\(info.height) \(info.bitDepth)-bit \(info.colorType)"
            // Real pixels over blank cells; never under an overlay (the backend removes it).
            if !state.showHelp && !state.showWholeStatus {
                s.graphic = PreviewPainter.graphic(state.preview?.result, key: state.preview!.key, x: px + 1,
                                                   y: layout.listTop + 1, capabilities: capabilities)
            }
        case let .notImage(format, size, head)?:
            let what: String
            if case .text = head { what = "text" } else { what = format == .unknown ? "binary" : format.rawValue }
            caption += "  \(what), \(ByteCount.human(size))\(what == "text" ? "" : ": hex dump")"
            PreviewPainter.paint(head, into: &s, x: px + 1, y: layout.listTop + 1, width: layout.previewBox.columns,
                                 height: layout.previewBox.rows)
        case let .failed(message)?:
            caption += "  \(message)"
        }
        s.put(TextFit.head(caption, s.width - px - 2, ascii: !capabilities.unicode), x: px + 1, y: layout.listTop,
              style: Style(bold: true))
    }

    /// The key hints under the list, longest first (the first that fits is shown).
    static let hintLines = [
        "Enter publish  / filter  a all/images  . hidden  R reload  t struct  ? keys  q quit",
        "Enter publish  / filter  a all  R reload  ? keys  q quit",
        "Enter publish  / filter  ? keys  q quit",
        "? keys  q quit",
    ]

    /// The key reference.
    public static let helpLines = [
        "Up/Down, j/k      move",
        "PgUp/PgDn         page",
        "Home/End, g/G     first / last",
        "Enter             open folder / publish file",
        "Right             open folder",
        "w                 publish the highlighted file",
        "Backspace, Left   parent folder",
        "/                 filter by name (Esc clears, Enter opens)",
        "a                 images only / all files",
        ".                 show / hide hidden files",
        "R                 reload the listing (it also follows changes)",
        "t                 publish the sample TestData struct",
        "m                 the last message, whole",
        "?                 this help",
        "q                 quit",
    ]
}
