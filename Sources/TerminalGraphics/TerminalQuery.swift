import Glibc

/// Asking the controlling terminal what it can draw: the module's only system calls.
public enum TerminalQuery {
    /// Sends ``GraphicsDetection/query`` to `/dev/tty` in raw mode and collects the
    /// answers until DA1's arrives or `timeoutMilliseconds` pass; the terminal's mode is
    /// restored whatever happens, and input not yet read is discarded (an answer that
    /// arrives after the timeout could otherwise reach the app as keys). Nil when there is
    /// no controlling terminal. The corresponding C functions are `open`, `tcgetattr`,
    /// `tcsetattr`, `tcflush`, `write`, `poll`, `read` and `close`.
    public static func ask(timeoutMilliseconds: Int32 = 300) -> TerminalAnswers? {
        let fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var saved = termios()
        guard tcgetattr(fd, &saved) == 0 else { return nil }
        var raw = saved
        raw.c_lflag &= ~tcflag_t(ICANON | ECHO)
        withUnsafeMutableBytes(of: &raw.c_cc) { cc in
            cc[Int(VMIN)] = 0
            cc[Int(VTIME)] = 0
        }
        guard tcsetattr(fd, TCSANOW, &raw) == 0 else { return nil }
        defer {
            // Whatever part of an answer is still unread must not reach the app as keys.
            _ = tcflush(fd, TCIFLUSH)
            _ = tcsetattr(fd, TCSANOW, &saved)
        }
        let query = Array(GraphicsDetection.query.utf8)
        guard query.withUnsafeBytes({ write(fd, $0.baseAddress, $0.count) }) == query.count else { return nil }
        var received = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 512)
        var clock = timespec()
        clock_gettime(CLOCK_MONOTONIC, &clock)
        let deadline = Int64(clock.tv_sec) * 1000 + Int64(clock.tv_nsec) / 1_000_000 + Int64(timeoutMilliseconds)
        while received.count < 4096 && !GraphicsDetection.isComplete(received) {
            clock_gettime(CLOCK_MONOTONIC, &clock)
            let left = deadline - (Int64(clock.tv_sec) * 1000 + Int64(clock.tv_nsec) / 1_000_000)
            if left <= 0 { break }
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            let ready = poll(&p, 1, Int32(left))
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { break }
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n <= 0 { break }
            received += buffer[0 ..< n]
        }
        return GraphicsDetection.parse(received)
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
