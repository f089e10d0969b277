import Glibc

/// An app driven by keys and background events, rendered as a ``Screen``.
public protocol TerminalApp: AnyObject {
    /// Handles a key; returns false to quit.
    func handle(_ key: Key) -> Bool
    /// Handles work finished off the input path (decode done, publish landed).
    func drainEvents()
    /// Renders the whole state for the given size and capabilities.
    func render(width: Int, height: Int, capabilities: Capabilities) -> Screen
}

/// Wakes the run loop from another thread (or a signal handler: `write` only).
public final class Waker: @unchecked Sendable {
    /// The read end the loop polls.
    public let readFD: Int32
    let writeFD: Int32

    /// Creates a non-blocking pipe.
    public init() {
        var fds: [Int32] = [-1, -1]
        pipe(&fds)
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
        }
        readFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(readFD)
        close(writeFD)
    }

    /// Wakes the loop (async-signal-safe).
    public func wake() {
        var b: UInt8 = 1
        _ = write(writeFD, &b, 1)
    }

    /// Empties the pipe after a wake-up.
    public func drain() {
        var buf = [UInt8](repeating: 0, count: 64)
        while read(readFD, &buf, buf.count) > 0 {}
    }
}

/// Runs an app on a terminal until it quits or a termination signal arrives.
public enum AppRunner {
    nonisolated(unsafe) static var terminationRequested: sig_atomic_t = 0
    nonisolated(unsafe) static var signalWakeFD: Int32 = -1

    /// The loop: draw, wait for keys or a wake-up, handle, repeat. SIGINT, SIGTERM and
    /// SIGHUP end it cleanly (the caller then restores the terminal); nothing is drawn
    /// from a signal handler.
    public static func run(_ app: TerminalApp, on terminal: Terminal, waker: Waker, maxIterations: Int? = nil) {
        signalWakeFD = waker.writeFD
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { _ in
                AppRunner.terminationRequested = 1
                var b: UInt8 = 1
                _ = write(AppRunner.signalWakeFD, &b, 1)
            }
        }
        var iterations = 0
        while terminationRequested == 0 {
            let (w, h) = terminal.size
            terminal.draw(app.render(width: w, height: h, capabilities: terminal.capabilities))
            if let maxIterations { iterations += 1; if iterations > maxIterations { return } }
            let keys = terminal.waitForKeys(timeoutMilliseconds: -1, wakeFD: waker.readFD)
            waker.drain()
            app.drainEvents()
            for key in keys where !app.handle(key) { return }
        }
    }
}
