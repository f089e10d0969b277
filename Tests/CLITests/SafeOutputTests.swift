import Glibc
import Testing
import TestSupport

/// `get --out` never writes through a planted name, keeps devices and FIFOs as they are,
/// and leaves nothing behind when killed.
@Suite struct SafeOutputTests {
    @Test func plantedLinksAndFilesAreNeverFollowed() throws {
        let s = Scratch("out")
        Fixtures.write(Array(repeating: 5, count: 1000), to: s.path("in"))
        #expect(s.put(s.path("in")).status == 0)
        let victim = s.path("victim")
        Fixtures.write(Array("keep".utf8), to: victim)
        // The old temporary names were PATH.part-PID: plant every likely one.
        let last = Int(String(decoding: Fixtures.read("/proc/sys/kernel/ns_last_pid") ?? [], as: UTF8.self)
            .filter(\.isNumber)) ?? 1000
        for pid in last ..< last + 300 { symlink(victim, s.path("o.part-\(pid)")) }
        let r = s.get(["--out", s.path("o")])
        #expect(r.status == 0, "\(r.err)")
        #expect(Fixtures.read(victim) == Array("keep".utf8))
        #expect(Fixtures.read(s.path("o")) == Array(repeating: 5, count: 1000))
        var st = stat()
        #expect(lstat(s.path("o"), &st) == 0 && st.st_uid == geteuid() && (st.st_mode & S_IFMT) == S_IFREG)
    }

    @Test func devicesAndFifosAreWrittenIntoNotReplaced() throws {
        let s = Scratch("out2")
        Fixtures.write(Array("hello through the fifo".utf8), to: s.path("in"))
        #expect(s.put(s.path("in")).status == 0)
        #expect(s.get(["--out", "/dev/null"]).status == 0)
        var st = stat()
        #expect(stat("/dev/null", &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR)
        let fifo = s.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let cat = Spawn.start("/bin/cat", [fifo])
        let r = s.get(["--out", fifo])
        #expect(r.status == 0, "\(r.err)")
        let received = cat.finish(seconds: 20)
        #expect(received.out == "hello through the fifo")
        #expect(stat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO)
    }

    @Test func modeFollowsTheUmaskLikeCp() {
        let s = Scratch("out3")
        Fixtures.write([1, 2], to: s.path("in"))
        #expect(s.put(s.path("in")).status == 0)
        for (umask, want) in [("022", 0o644), ("077", 0o600)] as [(String, mode_t)] {
            let out = s.path("o-\(umask)")
            let r = Spawn.run("/bin/sh", ["-c", "umask \(umask); exec '\(CLI.reader)' get --segment \(s.segment) --out '\(out)'"])
            #expect(r.status == 0, "\(r.err)")
            var st = stat()
            #expect(stat(out, &st) == 0 && st.st_mode & 0o777 == want, "umask \(umask)")
        }
    }

    /// Killed at any moment, get leaves the destination as it was or complete, and no
    /// temporary file.
    @Test func aKilledGetLeavesNothingBehind() {
        let s = Scratch("out4")
        let content = Fixtures.bytes(count: 8 << 20, seed: 3)
        Fixtures.write(content, to: s.path("in"))
        #expect(s.put(s.path("in"), ["--capacity", "16MiB"]).status == 0)
        let dir = s.path("dest")
        mkdir(dir, 0o700)
        for i in 0 ..< 20 {
            let child = Spawn.start(CLI.reader, ["get", "--segment", s.segment, "--out", dir + "/o"])
            // Killed at spread-out moments of its run (start-up, reading, writing, renaming).
            let killAt = ContinuousClock.now + .microseconds(i * 2500)
            while ContinuousClock.now < killAt {}
            child.signal(SIGKILL)
            _ = child.finish(seconds: 20)
            let names = Fixtures.listing(dir)
            #expect(names.allSatisfy { $0 == "o" }, "left behind: \(names)")
            if names == ["o"] { #expect(Fixtures.read(dir + "/o") == content) }
        }
    }
}

/// FIFOs as outputs: waited for and written within a bound, never a hang.
@Suite struct FifoOutputTests {
    @Test(.timeLimit(.minutes(1)))
    func aFifoNobodyReadsIsRefusedWithinTheOutputTimeout() {
        let s = Scratch("fifo1")
        Fixtures.write(Array("x".utf8), to: s.path("in"))
        #expect(s.put(s.path("in")).status == 0)
        #expect(mkfifo(s.path("fifo"), 0o600) == 0)
        let r = s.get(["--out", s.path("fifo"), "--output-timeout", "0.3"])
        #expect(r.status == 74 && r.err.contains("is a FIFO that no process is reading"), "\(r.status) \(r.err)")
    }

    @Test(.timeLimit(.minutes(1)))
    func aReaderThatStopsReadingEndsTheWriteWithTimedOut() {
        let s = Scratch("fifo2")
        Fixtures.write(Fixtures.bytes(count: 1 << 20, seed: 4), to: s.path("in"))
        #expect(s.put(s.path("in")).status == 0)
        let fifo = s.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        // Opens the FIFO for reading and never reads: the pipe fills after 64 KiB.
        let idle = Spawn.start("/bin/sh", ["-c", "exec sleep 60 < '\(fifo)'"])
        let r = s.get(["--out", fifo, "--output-timeout", "0.5"])
        idle.signal(SIGKILL)
        _ = idle.finish(seconds: 10)
        #expect(r.status == 75 && r.err.contains("accepted nothing for"), "\(r.status) \(r.err)")
    }

    @Test(.timeLimit(.minutes(1)))
    func aFifoWhoseReaderStartsLaterReceivesTheContent() {
        let s = Scratch("fifo3")
        let content = Fixtures.bytes(count: 300_000, seed: 5)
        Fixtures.write(content, to: s.path("in"))
        #expect(s.put(s.path("in")).status == 0)
        let fifo = s.path("fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        let get = Spawn.start(CLI.reader, ["get", "--segment", s.segment, "--out", fifo])
        let cat = Spawn.run("/bin/cat", [fifo], seconds: 20)
        #expect(get.finish(seconds: 20).status == 0)
        #expect(cat.stdout == content)
    }
}
