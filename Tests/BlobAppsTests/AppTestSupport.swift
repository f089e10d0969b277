import BlobApps
import Glibc
import TerminalUI
import TestSupport

/// Drives an app on the in-memory terminal exactly as the run loop does.
final class Harness {
    let app: TerminalApp
    let terminal: MemoryTerminal
    let waker: Waker

    init(_ app: TerminalApp, waker: Waker, columns: Int = 100, rows: Int = 30, capabilities: Capabilities = .full) {
        self.app = app
        self.waker = waker
        terminal = MemoryTerminal(columns: columns, rows: rows, capabilities: capabilities)
        draw()
    }

    @discardableResult
    func draw() -> Screen {
        let s = app.render(width: terminal.size.columns, height: terminal.size.rows, capabilities: terminal.capabilities)
        terminal.draw(s)
        return s
    }

    /// Presses keys, redrawing after each (returns false if the app quit).
    @discardableResult
    func press(_ keys: Key...) -> Bool {
        for k in keys {
            guard app.handle(k) else { return false }
            draw()
        }
        return true
    }

    func type(_ text: String) {
        for c in text.unicodeScalars { press(.char(c)) }
    }

    var text: String { terminal.screen.text }

    /// Waits (at most `seconds`) for background work to make `condition` true.
    func waitFor(seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        let deadline = now() + seconds
        while true {
            app.drainEvents()
            draw()
            if condition() { return true }
            if now() > deadline { return false }
            var p = pollfd(fd: waker.readFD, events: Int16(POLLIN), revents: 0)
            _ = poll(&p, 1, 100)
            waker.drain()
        }
    }
}
