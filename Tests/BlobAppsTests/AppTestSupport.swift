import BlobApps
import BlobTransfer
import Glibc
import TerminalUI
import TestSupport

/// Drives an app through the real ``AppRunner`` on the in-memory terminal: keys are
/// queued on the terminal and handled by the runner's own step, effects run on its
/// workers, and waits are bounded.
final class Harness<Program: TerminalProgram> {
    let runner: AppRunner<Program>
    let terminal: MemoryTerminal

    init(_ state: Program.State, columns: Int = 100, rows: Int = 30, capabilities: Capabilities = .full) {
        terminal = MemoryTerminal(columns: columns, rows: rows, capabilities: capabilities)
        runner = AppRunner<Program>(state, on: terminal)
        runner.step(timeoutMilliseconds: 0)
    }

    deinit { runner.shutdown() }

    var state: Program.State { runner.state }
    var text: String { terminal.screen.text }

    /// Presses keys one at a time, each handled and drawn (false once the app quit).
    @discardableResult
    func press(_ keys: Key...) -> Bool {
        for k in keys {
            terminal.pendingKeys = [k]
            guard runner.step(timeoutMilliseconds: 0) else { return false }
        }
        return true
    }

    func type(_ text: String) {
        for c in text.unicodeScalars { press(.char(c)) }
    }

    /// Resizes the terminal and lets the runner notice (as KEY_RESIZE does).
    func resize(columns: Int, rows: Int) {
        terminal.size = (columns, rows)
        press(.resize)
    }

    /// Runs the loop until `condition` holds, at most `seconds`.
    func waitFor(seconds: Double = 20, _ condition: () -> Bool) -> Bool {
        runner.run(seconds: seconds) { _, _ in condition() }
    }
}

typealias WriterHarness = Harness<WriterProgram>
typealias ReaderHarness = Harness<ReaderProgram>
