@preconcurrency import CNcurses
import CTerminalGuard
import Glibc
import Platform
import TerminalColors

/// The ncurses backend: wide-character output, colour pairs allocated on demand, and
/// only the cells that changed redrawn.
public final class NcursesTerminal: Terminal {
    public private(set) var capabilities: Capabilities
    private var last: Screen?
    /// The image on the terminal now (what `draw` last sent).
    private var shownGraphic: Graphic?
    private var pairs: [Int32: Int16] = [:]
    private var nextPair: Int16 = 1
    private var active = false

    /// Starts curses mode. Colour is used unless `NO_COLOR` is set or the terminal has
    /// none; Unicode only when the locale's codeset is UTF-8.
    ///
    /// Returns nil (the terminal untouched) when ncurses does not know `TERM`; `initscr`
    /// would print its own message and exit instead.
    ///
    /// - Parameter pixels: the pixel protocol and cell size the terminal was found to
    ///   support before curses started (nil: characters only).
    public init?(pixels: (Capabilities.PixelProtocol, cellWidth: Int, cellHeight: Int)? = nil) {
        // Before curses changes the settings: what a crash restores.
        _ = terminal_guard_install(0)
        setlocale(LC_ALL, "")
        let codeset = String(cString: cn_codeset())
        guard newterm(nil, cn_stdout(), cn_stdin()) != nil else { return nil }
        raw()
        noecho()
        nonl()
        keypad(cn_stdscr(), true)
        nodelay(cn_stdscr(), true)
        curs_set(0)
        set_escdelay(25)
        var colors = 0
        if Environment.value("NO_COLOR") == nil && has_colors() {
            start_color()
            use_default_colors()
            colors = Int(cn_colors()) >= 256 ? 256 : Int(cn_colors()) >= 16 ? 16 : Int(cn_colors()) >= 8 ? 8 : 0
        }
        let term = Environment.value("TERM") ?? ""
        let unicode = codeset == "UTF-8" && !term.hasPrefix("vt") && term != "dumb" && term != "linux"
        // A plain terminal or locale gets the plain look: ASCII and no colour.
        capabilities = Capabilities(colors: unicode ? colors : 0, unicode: unicode, pixels: unicode ? pixels?.0 : nil,
                                    cellWidth: pixels?.cellWidth ?? 10, cellHeight: pixels?.cellHeight ?? 20)
        let colorterm = Environment.value("COLORTERM") ?? ""
        capabilities.truecolor = unicode && colors > 0 && (colorterm == "truecolor" || colorterm == "24bit")
        active = true
    }

    /// Leaves curses mode; safe to call twice.
    public func stop() {
        guard active else { return }
        active = false
        // Never leave an image behind: kitty's is deleted, sixel pixels are cleared with
        // the screen.
        if let g = shownGraphic {
            if !g.erase.isEmpty { Sys.writeOut(g.erase) }
            erase()
            refresh()
            shownGraphic = nil
        }
        endwin()
    }

    deinit { stop() }

    public var size: (columns: Int, rows: Int) { (Int(cn_cols()), Int(cn_lines())) }

    public func draw(_ screen: Screen) {
        let full = last == nil || last!.width != screen.width || last!.height != screen.height
        if full { erase() }
        let graphicChanged = full || screen.graphic != shownGraphic
        // Rows ncurses writes this time: where 24-bit cells must go out again after it.
        var rewritten = [Bool](repeating: full, count: screen.height)
        if graphicChanged, let old = shownGraphic {
            // kitty deletes by id; sixel pixels go when their cells are written again.
            if !old.erase.isEmpty { Sys.writeOut(old.erase) }
            // ncurses would skip cells it believes are already on the screen: the lines
            // under a sixel image are garbled as far as it knows.
            if old.erase.isEmpty {
                _ = cn_redrawln(Int32(max(0, old.y)), Int32(old.rows))
                let top = max(0, old.y)
                for y in top ..< max(top, min(screen.height, old.y + old.rows)) { rewritten[y] = true }
            }
            shownGraphic = nil
        }
        for y in 0 ..< screen.height {
            for x in 0 ..< screen.width {
                let cell = screen[x, y]
                if !full, let last, last[x, y] == cell { continue }
                rewritten[y] = true
                if cell.character == ScreenCell.continuationScalar { continue }
                var ch = wchar_t(bitPattern: cell.character.value)
                if !capabilities.unicode && cell.character.value > 0x7E { ch = wchar_t(UInt8(ascii: "?")) }
                _ = cn_put(Int32(y), Int32(x), ch, attributes(cell.style), pair(for: cell.style))
            }
        }
        last = screen
        refresh()
        if capabilities.truecolor {
            // ncurses drew RGB cells in the nearest of its colours; now they get their own.
            let runs = Self.truecolorRuns(screen, rows: rewritten)
            if !runs.isEmpty { Sys.writeOut(Array((runs + "\u{1b}[\(cn_cury() + 1);\(cn_curx() + 1)H").utf8)) }
        }
        if graphicChanged, let g = screen.graphic, g.x >= 0, g.y >= 0, g.y + g.rows < screen.height {
            // After ncurses has drawn: the image at its top-left cell, then the cursor back
            // where ncurses believes it is.
            Sys.writeOut(Array("\u{1b}[\(g.y + 1);\(g.x + 1)H".utf8) + g.draw
                         + Array("\u{1b}[\(cn_cury() + 1);\(cn_curx() + 1)H".utf8))
            shownGraphic = g
        }
    }

    /// What sends the RGB cells of the rows marked in `rows` in 24-bit colour: each run
    /// of cells with an RGB colour, at its own position (absolute cursor moves), through
    /// the one SGR writer. ncurses, which knows only its palette, has drawn those cells
    /// in the nearest colour it has; it keeps believing so, and since it only writes
    /// cells that change, a row's runs go out again whenever ncurses writes in that row.
    static func truecolorRuns(_ screen: Screen, rows: [Bool]) -> String {
        func isRGB(_ c: TerminalColor?) -> Bool { if case .rgb? = c { return true } else { return false } }
        var out = ""
        for y in 0 ..< min(screen.height, rows.count) where rows[y] {
            var x = 0
            while x < screen.width {
                let style = screen[x, y].style
                guard isRGB(style.foreground) || isRGB(style.background),
                      screen[x, y].character != ScreenCell.continuationScalar else { x += 1; continue }
                // A continuation cell belongs in a run only right after its wide character, and
                // a wide character only with its continuation: the columns written are then
                // exactly the run's, whatever an overlay did to half of a wide character.
                var end = x + 1
                while end < screen.width, isRGB(screen[end, y].style.foreground) || isRGB(screen[end, y].style.background),
                      screen[end, y].character != ScreenCell.continuationScalar || Screen.columns(of: screen[end - 1, y].character) == 2 {
                    end += 1
                }
                if Screen.columns(of: screen[end - 1, y].character) == 2 { end -= 1 }  // its continuation is not in the run
                if end > x {
                    out += "\u{1b}[\(y + 1);\(x + 1)H" + SGRText.cells(screen, y: y, columns: x ..< end, depth: .truecolor)
                }
                x = max(end, x + 1)
            }
        }
        return out
    }

    public func waitForKeys(timeoutMilliseconds: Int32, wakeFD: Int32) -> [Key] {
        Sys.waitReadable(wakeFD >= 0 ? [0, wakeFD] : [0], milliseconds: timeoutMilliseconds)  // SIGWINCH ends it early
        var keys = [Key]()
        var ch: wint_t = 0
        while true {
            let r = cn_get(&ch)
            if r == ERR { break }
            if r == cn_key_code_yes() {
                let key = Self.keyCode(Int32(ch))
                // ncurses repaints the whole terminal after a resize, even one that ends at the
                // old size: the next draw is a full one (24-bit cells and images sent again).
                if key == .resize { last = nil }
                keys.append(key)
            } else {
                keys.append(.fromCharacter(UInt32(ch)))
            }
            if keys.count > 256 { break }
        }
        return keys
    }

    static func keyCode(_ code: Int32) -> Key {
        switch code {
        case KEY_UP: return .up
        case KEY_DOWN: return .down
        case KEY_LEFT: return .left
        case KEY_RIGHT: return .right
        case KEY_PPAGE: return .pageUp
        case KEY_NPAGE: return .pageDown
        case KEY_HOME: return .home
        case KEY_END: return .end
        case KEY_ENTER: return .enter
        case KEY_BACKSPACE: return .backspace
        case KEY_DC: return .delete
        case KEY_RESIZE: return .resize
        default: return .other(code)
        }
    }

    private func attributes(_ s: Style) -> UInt32 {
        var a: UInt32 = 0
        if s.bold { a |= cn_attr_bold() }
        if s.reverse { a |= cn_attr_reverse() }
        if s.dim { a |= cn_attr_dim() }
        return a
    }

    private func pair(for s: Style) -> Int16 {
        guard capabilities.colors > 0, s.foreground != nil || s.background != nil else { return 0 }
        let fg = s.foreground.map { Palette.index(for: $0, colors: capabilities.colors) } ?? -1
        let bg = s.background.map { Palette.index(for: $0, colors: capabilities.colors) } ?? -1
        let key = Int32(fg + 1) << 16 | Int32(bg + 1)
        if let p = pairs[key] { return p }
        guard Int32(nextPair) < cn_color_pairs() - 1, nextPair < Int16.max else { return 0 }
        let p = nextPair
        nextPair += 1
        init_pair(p, Int16(fg), Int16(bg))
        pairs[key] = p
        return p
    }
}

