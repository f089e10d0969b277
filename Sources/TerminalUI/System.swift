import CNcurses
import Dispatch
import Glibc
import Platform

// The OS boundary of TerminalUI: every system call the module makes (pipes, poll,
// signals, threads, the environment) is wrapped once here. ncurses is a library, not a
// system call, and stays in NcursesTerminal.

enum Sys {
    /// Waits until one of `fds` is readable, at most `milliseconds` (-1: no limit).
    /// EINTR (a SIGWINCH, say) just returns early. The corresponding C function is `poll`.
    static func waitReadable(_ fds: [Int32], milliseconds: Int32) {
        var polls = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
        _ = poll(&polls, nfds_t(polls.count), milliseconds)
    }


    /// Starts a joinable thread running `body`. The corresponding C function is `pthread_create`.
    static func startThread(_ body: @escaping @Sendable () -> Void) -> pthread_t {
        final class Box: @unchecked Sendable {
            let body: @Sendable () -> Void
            init(_ body: @escaping @Sendable () -> Void) { self.body = body }
        }
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        let rc = pthread_create(&thread, nil, { arg in
            Unmanaged<Box>.fromOpaque(arg!).takeRetainedValue().body()
            return nil
        }, box)
        precondition(rc == 0, "pthread_create failed: \(rc)")
        return thread
    }

    /// Writes bytes to stdout, all of them (retrying short writes; EINTR by Platform's one
    /// rule): escape sequences ncurses does not know, sent after it has drawn. Gives up
    /// silently on an error (the terminal is gone). The corresponding C function is `write`.
    static func writeOut(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                guard let n = try? retryingEINTR("write", { write(1, raw.baseAddress! + done, raw.count - done) }), n > 0 else { return }
                done += n
            }
        }
    }

    /// How many terminal cells the C library says `scalar` takes in a UTF-8 locale, which
    /// is what ncurses counts by (its width table is the same for every UTF-8 locale):
    /// 2 wide, 1, 0 or -1 for what it does not print; nil when this C library has no
    /// C.UTF-8 locale. The caller's own locale is left as it is (the answer is asked in a
    /// locale of its own, for this thread only). The corresponding C functions are
    /// `newlocale`, `uselocale` and `wcwidth`.
    static func utf8CellWidth(_ scalar: UInt32) -> Int? {
        guard let locale = utf8Locale else { return nil }
        let previous = uselocale(locale)
        defer { uselocale(previous) }
        return Int(wcwidth(wchar_t(bitPattern: scalar)))
    }

    /// The C.UTF-8 locale's character class (made once; never freed).
    nonisolated(unsafe) private static let utf8Locale: locale_t? = newlocale(LC_CTYPE_MASK, "C.UTF-8", nil)

    /// Waits for a thread to end. The corresponding C function is `pthread_join`.
    static func join(_ thread: pthread_t) { _ = pthread_join(thread, nil) }

    /// Lets a thread end on its own. The corresponding C function is `pthread_detach`.
    static func detach(_ thread: pthread_t) { _ = pthread_detach(thread) }
}

/// Wakes the run loop from another thread or a signal handler: a non-blocking pipe
/// whose read end the loop polls next to the keyboard.
public final class Waker: @unchecked Sendable {
    /// The read end the loop polls.
    public let readFD: Int32
    let writeFD: Int32

    /// Creates the pipe (both ends non-blocking and close-on-exec).
    /// The corresponding C functions are `pipe` and `fcntl`.
    public init() {
        var fds: [Int32] = [-1, -1]
        precondition(pipe(&fds) == 0, "pipe failed")
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

    /// Wakes the loop (async-signal-safe: one `write`).
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

/// SIGINT, SIGTERM and SIGHUP as a flag the run loop reads: the handler only sets it
/// and writes one byte to the loop's wake pipe, never draws.
enum TerminationSignals {
    nonisolated(unsafe) static var requested: sig_atomic_t = 0
    nonisolated(unsafe) static var wakeFD: Int32 = -1

    /// Routes the signals to `waker`. The corresponding C function is `signal`.
    static func install(waking waker: Waker) {
        wakeFD = waker.writeFD
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { _ in
                TerminationSignals.requested = 1
                var b: UInt8 = 1
                _ = write(TerminationSignals.wakeFD, &b, 1)
            }
        }
    }

    static var isRequested: Bool { requested != 0 }
}
