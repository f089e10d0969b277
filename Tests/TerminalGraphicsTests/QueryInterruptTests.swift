import Glibc
import Testing
import TestSupport

// The pty calls (stdlib.h, behind _XOPEN_SOURCE, which the Glibc module does not define).
@_silgen_name("posix_openpt") private func posix_openpt(_ flags: Int32) -> Int32
@_silgen_name("grantpt") private func grantpt(_ fd: Int32) -> Int32
@_silgen_name("unlockpt") private func unlockpt(_ fd: Int32) -> Int32
@_silgen_name("ptsname") private func ptsname(_ fd: Int32) -> UnsafeMutablePointer<CChar>?

/// Ctrl-C while `preview` waits for the terminal's answers (raw mode, at most 300 ms)
/// leaves the terminal as it was: echo and line editing back on.
@Suite struct QueryInterruptTests {
    @Test(.timeLimit(.minutes(1)))
    func interruptDuringTheQueryRestoresTheTerminal() throws {
        let master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)
        try #require(master >= 0)
        defer { close(master) }
        try #require(grantpt(master) == 0 && unlockpt(master) == 0)
        let slave = String(cString: try #require(ptsname(master)))
        let mine = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC)  // to read the settings after the child is gone
        #expect(mine >= 0)
        defer { close(mine) }
        let cooked = tcflag_t(ECHO | ICANON)
        var settings = termios()
        tcgetattr(mine, &settings)
        try #require(settings.c_lflag & cooked == cooked)

        let child = Spawn.start(Fixtures.executable("blob-reader"),
                                ["preview", Fixtures.packageRoot + "/Assets/sunset.png", "--graphics", "auto"],
                                environment: ["TERM": "xterm-256color"], terminal: slave)
        // The query reaching the terminal means raw mode is on; it is never answered.
        var seen = [UInt8]()
        var buffer = [UInt8](repeating: 0, count: 256)
        let deadline = now() + 20
        while !seen.contains(0x1b) && now() < deadline {
            var p = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, 100) > 0 else { continue }
            let n = read(master, &buffer, buffer.count)
            if n > 0 { seen += buffer[0 ..< n] }
        }
        try #require(seen.contains(0x1b), "no terminal query seen")
        tcgetattr(mine, &settings)
        #expect(settings.c_lflag & tcflag_t(ECHO) == 0, "the query runs without echo")
        child.signal(SIGINT)
        let result = child.finish(seconds: 20)
        #expect(result.status == 128 + SIGINT, "status \(result.status): \(result.err)")
        tcgetattr(mine, &settings)
        #expect(settings.c_lflag & cooked == cooked, "echo and line editing restored after Ctrl-C")
    }
}
