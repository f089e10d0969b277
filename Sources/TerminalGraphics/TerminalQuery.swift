import CTerminalGuard
import Glibc

/// Asking the controlling terminal what it can draw: the module's only system calls.
public enum TerminalQuery {
    /// Sends `query` (``GraphicsDetection/query(environment:)``) to `/dev/tty` in raw mode and collects the
    /// answers until DA1's arrives or `timeoutMilliseconds` pass; the terminal's mode is
    /// restored whatever happens, and input not yet read is discarded (an answer that
    /// arrives after the timeout could otherwise reach the app as keys). Nil when there is
    /// no controlling terminal. The corresponding C functions are `open`, `tcgetattr`,
    /// `tcsetattr`, `tcflush`, `sigaction`, `write`, `poll`, `read` and `close`.
    public static func ask(_ query: String = GraphicsDetection.query, timeoutMilliseconds: Int32 = 300) -> TerminalAnswers? {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // Raw while it reads the answers; a signal in that window (Ctrl-C) restores the
        // terminal before it takes its usual action.
        guard terminal_guard_query_begin(fd) == 0 else { return nil }
        defer { terminal_guard_query_end() }
        let query = Array(query.utf8)
        guard query.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == query.count else { return nil }
        let (received, _) = readAvailable(fd, milliseconds: timeoutMilliseconds) { GraphicsDetection.isComplete($0) }
        return GraphicsDetection.parse(received)
    }

    /// Asks the tmux server this program runs under about `pane` (`$TMUX_PANE`): runs
    /// `tmux display-message -p -t PANE` with ``TmuxPane/format``, reads at most 4 kB of its
    /// output for at most `timeoutMilliseconds`, and stops it if it is still running. Nil if
    /// tmux cannot be run or says nothing usable. The corresponding C functions are `pipe`,
    /// `fcntl`, `posix_spawnp`, `poll`, `read`, `close`, `kill` and `waitpid`.
    public static func askTmux(pane: String?, timeoutMilliseconds: Int32 = 1000) -> TmuxPane? {
        var fds: [Int32] = [0, 0]
        guard pipe(&fds) == 0 else { return nil }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, fds[1], 1)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        var words = ["tmux", "display-message", "-p"]
        if let pane, !pane.isEmpty { words += ["-t", pane] }
        words.append(TmuxPane.format)
        let argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid = pid_t()
        let spawned = posix_spawnp(&pid, "tmux", &actions, nil, argv, environ)
        close(fds[1])
        defer { close(fds[0]) }
        guard spawned == 0 else { return nil }
        let (received, ended) = readAvailable(fds[0], milliseconds: timeoutMilliseconds) { _ in false }
        // Its output closed: it is exiting. Otherwise it is overdue or talks too much.
        var status: Int32 = 0
        if !ended { kill(pid, SIGKILL) }
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return TmuxPane.parse(String(decoding: received, as: UTF8.self))
    }

    /// Reads `fd` until `done` holds for what was read, 4 kB have arrived, the input ends
    /// (then `ended`) or `milliseconds` pass.
    private static func readAvailable(_ fd: Int32, milliseconds: Int32, done: ([UInt8]) -> Bool) -> (bytes: [UInt8], ended: Bool) {
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 512)
        var clock = timespec()
        clock_gettime(CLOCK_MONOTONIC, &clock)
        let deadline = Int64(clock.tv_sec) * 1000 + Int64(clock.tv_nsec) / 1_000_000 + Int64(milliseconds)
        while received.count < 4096 && !done(received) {
            clock_gettime(CLOCK_MONOTONIC, &clock)
            let left = deadline - (Int64(clock.tv_sec) * 1000 + Int64(clock.tv_nsec) / 1_000_000)
            if left <= 0 { break }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(left))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return (received, n == 0) }
            received += buffer[0 ..< n]
        }
        return (received, false)
    }

    /// The size in character cells of the terminal on descriptor `fd` (`TIOCGWINSZ`), if
    /// it is one and says. The corresponding C function is `ioctl`.
    public static func windowSize(of fd: Int32) -> (columns: Int, rows: Int)? {
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else { return nil }
        return (Int(size.ws_col), Int(size.ws_row))
    }

    /// The terminal's cell size in pixels from `TIOCGWINSZ` (`ws_xpixel / ws_col`), if it
    /// reports pixels (xterm, kitty, foot, WezTerm do; many do not). The corresponding C
    /// functions are `open`, `ioctl` and `close`.
    public static func cellSize() -> (width: Int, height: Int)? {
        let fd = open("/dev/tty", O_RDONLY | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var size = winsize()
        guard ioctl(fd, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0,
              size.ws_xpixel > 0, size.ws_ypixel > 0 else { return nil }
        return (Int(size.ws_xpixel) / Int(size.ws_col), Int(size.ws_ypixel) / Int(size.ws_row))
    }
}
