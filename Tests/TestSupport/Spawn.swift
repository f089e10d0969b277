import Glibc

/// Starting real processes from tests: posix_spawn (Foundation.Process leaks a
/// descriptor into children), pipes for output, and every wait bounded.
public enum Spawn {
    /// What a finished process left.
    public struct Result: Sendable {
        /// Exit status, or 128 + signal.
        public var status: Int32
        /// Everything written on stdout.
        public var stdout: [UInt8]
        /// Everything written on stderr.
        public var stderr: [UInt8]
        /// stdout as text.
        public var out: String { String(decoding: stdout, as: UTF8.self) }
        /// stderr as text.
        public var err: String { String(decoding: stderr, as: UTF8.self) }
    }

    /// A running child with its output pipes.
    public final class Child: @unchecked Sendable {
        /// The process id.
        public let pid: pid_t
        let outFD: Int32
        let errFD: Int32
        var stdout = [UInt8]()
        var stderr = [UInt8]()
        var reaped: Int32?

        init(pid: pid_t, outFD: Int32, errFD: Int32) {
            self.pid = pid
            self.outFD = outFD
            self.errFD = errFD
        }

        deinit {
            if reaped == nil {
                kill(pid, SIGKILL)
                var st: Int32 = 0
                waitpid(pid, &st, 0)
            }
            close(outFD)
            close(errFD)
        }

        /// Waits until the child stops itself (SIGSTOP) or exits, at most `seconds`.
        /// Returns true when it is stopped.
        public func waitStopped(seconds: Double = 30) -> Bool {
            let deadline = now() + seconds
            while now() < deadline {
                var st: Int32 = 0
                let r = waitpid(pid, &st, WUNTRACED | WNOHANG)
                if r == pid {
                    if (st & 0xFF) == 0x7F { return true }  // WIFSTOPPED
                    reaped = decode(st)
                    return false
                }
                drain(timeoutMs: 5)
            }
            return false
        }

        /// Waits until stdout has received `text` (at most `seconds`).
        public func waitForOutput(_ text: String, seconds: Double = 30) -> Bool {
            let deadline = now() + seconds
            while now() < deadline {
                if String(decoding: stdout, as: UTF8.self).contains(text) { return true }
                drain(timeoutMs: 20)
            }
            return false
        }

        /// Sends a signal.
        public func signal(_ sig: Int32) { kill(pid, sig) }

        /// Waits for the child to exit (killing it after `seconds`) and collects its output.
        public func finish(seconds: Double = 60) -> Result {
            let deadline = now() + seconds
            while reaped == nil {
                var st: Int32 = 0
                let r = waitpid(pid, &st, WNOHANG)
                if r == pid { reaped = decode(st); break }
                if now() > deadline {
                    kill(pid, SIGKILL)
                    waitpid(pid, &st, 0)
                    reaped = 128 + SIGKILL
                    break
                }
                drain(timeoutMs: 5)
            }
            while drain(timeoutMs: 0) {}
            return Result(status: reaped ?? -1, stdout: stdout, stderr: stderr)
        }

        /// Reads whatever is available; returns true if anything was read.
        @discardableResult
        func drain(timeoutMs: Int32) -> Bool {
            var fds = [pollfd(fd: outFD, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: errFD, events: Int16(POLLIN), revents: 0)]
            guard poll(&fds, 2, timeoutMs) > 0 else { return false }
            var any = false
            var buf = [UInt8](repeating: 0, count: 65536)
            for (i, p) in fds.enumerated() where p.revents != 0 {
                let n = read(p.fd, &buf, buf.count)
                if n > 0 {
                    any = true
                    if i == 0 { stdout += buf[0 ..< n] } else { stderr += buf[0 ..< n] }
                }
            }
            return any
        }

        private func decode(_ st: Int32) -> Int32 {
            if (st & 0x7F) == 0 { return (st >> 8) & 0xFF }
            return 128 + (st & 0x7F)
        }
    }

    /// Starts `path` with `arguments`; `environment` entries are added to this process's.
    /// With `terminal` (a pty's slave path) the child runs in a session of its own with
    /// that terminal as its controlling terminal, stdin and stdout (stderr stays a pipe).
    public static func start(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                             stdin: String? = nil, terminal: String? = nil) -> Child {
        var outPipe: [Int32] = [0, 0], errPipe: [Int32] = [0, 0]
        precondition(pipe(&outPipe) == 0 && pipe(&errPipe) == 0)
        for fd in outPipe + errPipe { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if let terminal {
            // Opened by the new session's leader without O_NOCTTY: it becomes the controlling terminal.
            posix_spawn_file_actions_addopen(&actions, 0, terminal, O_RDWR, 0)
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
            close(outPipe[1])
            outPipe[1] = open("/dev/null", O_WRONLY | O_CLOEXEC)
        } else {
            posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
            posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attr, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
                                                  | (terminal == nil ? 0 : spawnSetSID)))

        var env = [String: String]()
        var e = environ
        while let p = e.pointee {
            let entry = String(cString: p)
            if let eq = entry.firstIndex(of: "=") { env[String(entry[..<eq])] = String(entry[entry.index(after: eq)...]) }
            e += 1
        }
        // The built executables are on PATH, as installed ones would be: remedies name
        // them `blob-writer` (a test that wants the other case sets PATH itself).
        env["PATH"] = Fixtures.productsDirectory + ":" + (env["PATH"] ?? "/usr/bin:/bin")
        for (k, v) in environment { env[k] = v }
        let argv = ([path] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, envp)
        close(outPipe[1])
        close(errPipe[1])
        precondition(rc == 0, "posix_spawn \(path) failed: \(rc)")
        return Child(pid: pid, outFD: outPipe[0], errFD: errPipe[0])
    }

    /// Runs a process to completion (at most `seconds`).
    public static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                           seconds: Double = 60) -> Result {
        start(path, arguments, environment: environment).finish(seconds: seconds)
    }
}

/// glibc's `POSIX_SPAWN_SETSID` (spawn.h, 0x80): a GNU extension the Glibc module does
/// not import.
private let spawnSetSID: Int32 = 0x80

private let processStart = ContinuousClock.now

/// Seconds since the test process started, on the monotonic clock (for bounded waits).
public func now() -> Double {
    let t = processStart.duration(to: .now)
    return Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18
}
