import Glibc
import Testing
import TestSupport

/// Another local user is untrusted: tried with a real second user (`nobody`, through
/// `setpriv`, as root), never with a mock.
@Suite(.serialized, .enabled(if: getuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0))
struct TrustTests {
    static let sunset = Fixtures.packageRoot + "/Assets/sunset.png"

    /// Runs a command as `nobody`.
    func asNobody(_ argv: [String]) -> Spawn.Result {
        Spawn.run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups"] + argv)
    }

    func mode(_ path: String) -> (mode: UInt32, uid: UInt32, gid: UInt32)? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return (st.st_mode & 0o7777, st.st_uid, st.st_gid)
    }

    @Test func aSegmentPlantedByAnotherUserIsRefusedBothWays() throws {
        let s = Scratch("trust")
        // nobody gets its own copies in a folder anyone may read: the checkout itself may
        // be in a private folder (a clone in `mktemp -d`, say).
        let shared = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(shared) }
        chmod(shared, 0o755)
        let writer = shared + "/blob-writer", image = shared + "/sunset.png"
        #expect(Spawn.run("/bin/cp", [CLI.writer, writer]).status == 0)  // cp: no descriptor of ours to inherit
        Fixtures.write(try #require(Fixtures.read(Self.sunset)), to: image)
        chmod(writer, 0o755)
        chmod(image, 0o644)
        // nobody creates the segment first, publishes a forged blob and opens it to all.
        let planted = asNobody([writer, "put", image, "--segment", s.segment])
        try #require(planted.status == 0, "nobody could not publish: \(planted.err)")
        _ = asNobody(["/bin/chmod", "666", "/dev/shm/" + s.segment])
        let before = Fixtures.read("/dev/shm/" + s.segment)
        Fixtures.write([1, 2, 3], to: s.path("mine"))
        // Our put must not publish into it (they would read our file) ...
        let put = s.put(s.path("mine"))
        #expect(put.status == 77)
        #expect(put.err.hasPrefix("Error: segment '\(s.segment)' is not trusted: it belongs to user nobody (uid 65534), mode 0666."))
        #expect(put.err.contains("--trust-owner USER or --group GROUP"))
        // ... and our get must not report their forged blob as verified.
        let get = s.get(["--out", s.path("o")])
        #expect(get.status == 77 && access(s.path("o"), F_OK) != 0)
        #expect(Spawn.run(CLI.reader, ["info", "--segment", s.segment]).status == 77)
        #expect(Fixtures.read("/dev/shm/" + s.segment) == before)  // untouched
        // Open to all users: refused even when its owner is trusted.
        #expect(s.get(["--out", s.path("o"), "--trust-owner", "nobody"]).status == 77)
        // Private to nobody and trusted on purpose: accepted.
        _ = asNobody(["/bin/chmod", "644", "/dev/shm/" + s.segment])
        let trusted = s.get(["--out", s.path("o"), "--trust-owner", "nobody"])
        #expect(trusted.status == 0, "\(trusted.err)")
        #expect(Fixtures.read(s.path("o")) == Fixtures.read(image))
    }

    @Test func ourOwnSegmentOpenToOthersIsRefused() {
        let s = Scratch("trust2")
        Fixtures.write([1], to: s.path("f"))
        #expect(s.put(s.path("f")).status == 0)
        #expect(mode("/dev/shm/" + s.segment)?.mode == 0o600)
        chmod("/dev/shm/" + s.segment, 0o620)
        let r = s.get(["--out", s.path("o")])
        #expect(r.status == 77 && r.err.contains("group root may write it (mode 0620)"), "\(r.err)")
        // Shared with that group on purpose: accepted; and --group creates 0660 with it.
        #expect(s.get(["--out", s.path("o"), "--group", "root"]).status == 0)
        let g = Scratch("trust3")
        Fixtures.write([1], to: g.path("f"))
        #expect(g.put(g.path("f"), ["--group", "daemon"]).status == 0)
        #expect(mode("/dev/shm/" + g.segment).map { $0.mode == 0o660 && $0.gid == 1 } == true)
    }

    @Test func fileOptionNeverFollowsALinkNorReformatsWhatIsNotOurs() {
        let s = Scratch("trust4")
        let victim = s.path("precious.txt")
        Fixtures.write(Array("keep me".utf8), to: victim)
        symlink(victim, s.path("seg-link"))
        Fixtures.write([1], to: s.path("f"))
        let r = Spawn.run(CLI.writer, ["put", s.path("f"), "--file", s.path("seg-link"), "--force"])
        #expect(r.status == 65 && r.err.contains("is a symbolic link"), "\(r.err)")
        #expect(Fixtures.read(victim) == Array("keep me".utf8))
        // A regular file of another user is not reformatted even with --force.
        let theirs = s.path("theirs.seg")
        Fixtures.write(Array("their data".utf8), to: theirs)
        chown(theirs, 65534, 65534)
        let forced = Spawn.run(CLI.writer, ["put", s.path("f"), "--file", theirs, "--force"])
        #expect(forced.status == 77, "\(forced.err)")
        #expect(Fixtures.read(theirs) == Array("their data".utf8))
    }

    /// A folder the other user owns, inside the scratch folder (opened for them to enter).
    func theirFolder(_ s: Scratch) -> String {
        chmod(s.dir, 0o755)
        let d = s.path("theirs")
        mkdir(d, 0o755)
        chown(d, 65534, 65534)
        return d
    }

    @Test(.timeLimit(.minutes(2)))
    func aFifoAnotherUserPlantedReceivesNothing() throws {
        let s = Scratch("trust5")
        Fixtures.write(Array("secret".utf8), to: s.path("in"))
        #expect(s.put(s.path("in")).status == 0)
        let d = theirFolder(s)
        // Their FIFO, in their folder, with their reader waiting on it.
        #expect(asNobody(["/usr/bin/mkfifo", d + "/out"]).status == 0)
        let listener = Spawn.start("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/cat", d + "/out"])
        let r = s.get(["--out", d + "/out", "--output-timeout", "0.3"])
        #expect(r.status == 77 && r.err.contains("FIFO owned by uid 65534"), "\(r.status) \(r.err)")
        // Their FIFO in a folder of ours: refused for its owner alone.
        #expect(asNobody(["/usr/bin/mkfifo", d + "/out2"]).status == 0)
        #expect(rename(d + "/out2", s.path("out2")) == 0)
        let mine = s.get(["--out", s.path("out2"), "--output-timeout", "0.3"])
        #expect(mine.status == 77, "\(mine.err)")
        listener.signal(SIGKILL)
        #expect(listener.finish(seconds: 10).stdout.isEmpty, "their reader received nothing")
    }

    /// The attack: the other user swaps the destination between a FIFO and a symbolic
    /// link to a file of ours as fast as they can while we save into their folder.
    @Test(.timeLimit(.minutes(3)))
    func aFifoSwappedForALinkNeverRedirectsTheWrite() throws {
        let s = Scratch("trust6")
        Fixtures.write(Array("their bytes".utf8), to: s.path("in"))
        #expect(s.put(s.path("in")).status == 0)
        let victim = s.path("root-only")
        Fixtures.write(Array("keep".utf8), to: victim)
        chmod(victim, 0o600)
        let d = theirFolder(s)
        let x = d + "/x"
        let loop = "end=$(($(date +%s) + 60)); while [ $(date +%s) -lt $end ]; do rm -f '\(x)'; mkfifo '\(x)'; "
            + "rm -f '\(x)'; ln -s '\(victim)' '\(x)'; done"
        let swapper = Spawn.start("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", "/bin/sh", "-c", loop])
        var statuses = [Int32: Int]()
        for _ in 0 ..< 60 {
            let r = s.get(["--out", x, "--output-timeout", "0.05"])
            statuses[r.status, default: 0] += 1
            #expect([0, 74, 77].contains(r.status), "\(r.status) \(r.err)")
            #expect(Fixtures.read(victim) == Array("keep".utf8), "the victim was overwritten: \(r.err)")
        }
        swapper.signal(SIGKILL)
        _ = swapper.finish(seconds: 10)
        #expect(Fixtures.read(victim) == Array("keep".utf8))
        print("FIFO/symlink swap, 60 saves: exit statuses \(statuses.sorted { $0.key < $1.key })")
    }

    /// A put killed between shm_open and ftruncate leaves an empty object: ours is
    /// completed by the next put (a get meanwhile says there is nothing yet); another
    /// user's is never touched.
    @Test func aHalfCreatedSegmentOfOursIsCompletedNeverTheirs() throws {
        let s = Scratch("half")
        let path = "/dev/shm/" + s.segment
        let fd = open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        close(fd)
        let early = s.get(["--out", s.path("o")])
        #expect(early.status == 66 && early.err.contains("does not exist yet"), "\(early.status) \(early.err)")
        Fixtures.write(Array("complete me".utf8), to: s.path("f"))
        let put = s.put(s.path("f"))
        #expect(put.status == 0, "\(put.err)")
        #expect(s.get(["--out", s.path("o")]).status == 0)
        #expect(Fixtures.read(s.path("o")) == Array("complete me".utf8))

        let t = Scratch("half2")
        let theirs = "/dev/shm/" + t.segment
        #expect(asNobody(["/usr/bin/touch", theirs]).status == 0)
        let refused = t.put(s.path("f"))
        #expect(refused.status == 77, "\(refused.err)")
        var st = stat()
        #expect(stat(theirs, &st) == 0 && st.st_size == 0 && st.st_uid == 65534)
    }

    /// Two puts creating the same segment at once both succeed (one formats it, the
    /// other waits and publishes into it), every time.
    @Test(.timeLimit(.minutes(3)))
    func twoPutsCreatingAtOnceBothSucceed() throws {
        let s = Scratch("race")
        Fixtures.write(Array("a".utf8), to: s.path("a"))
        Fixtures.write(Array("b".utf8), to: s.path("b"))
        var failures = [String]()
        for _ in 0 ..< 40 {
            Fixtures.removeSegment(s.segment)
            let one = Spawn.start(CLI.writer, ["put", s.path("a"), "--segment", s.segment])
            let two = Spawn.start(CLI.writer, ["put", s.path("b"), "--segment", s.segment])
            for r in [one.finish(), two.finish()] where r.status != 0 { failures.append("\(r.status) \(r.err)") }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// `get --wait` on a segment that is removed and re-created by another user stops
    /// with 77 at once instead of waiting out its timeout on something it will not read.
    @Test(.timeLimit(.minutes(2)))
    func aWaitNoticesAnUntrustedReplacement() throws {
        let s = Scratch("wait-untrusted")
        Fixtures.write(Array("mine".utf8), to: s.path("f"))
        #expect(s.put(s.path("f")).status == 0)
        let waiter = Spawn.start(CLI.reader, ["get", "--segment", s.segment, "--wait", "--timeout", "60", "--out", s.path("o")])
        // Bounded wait until it sleeps on the segment's futex.
        let deadline = now() + 20
        var waiting = false
        while !waiting && now() < deadline {
            let wchan = String(decoding: Fixtures.read("/proc/\(waiter.pid)/wchan") ?? [], as: UTF8.self)
            waiting = wchan.contains("futex")
            if !waiting { usleep(10_000) }
        }
        try #require(waiting, "the get never waited")
        Fixtures.removeSegment(s.segment)
        chmod(s.dir, 0o755)
        chmod(s.path("f"), 0o644)
        #expect(asNobody([CLI.writer, "put", s.path("f"), "--segment", s.segment]).status == 0)
        let start = now()
        let r = waiter.finish(seconds: 30)
        #expect(r.status == 77 && r.err.contains("is not trusted"), "\(r.status) \(r.err)")
        #expect(now() - start < 10, "it noticed within seconds, not at its timeout")
    }

    /// The parent/child demo against a mutex (or record segment) another user planted
    /// and holds: refused at once with 77, nothing of ours left behind.
    @Test(.timeLimit(.minutes(1)))
    func theDemoRefusesAnotherUsersMutexAndRecord() throws {
        let mutex = Fixtures.uniqueSegmentName("demo-mutex"), record = Fixtures.uniqueSegmentName("demo-rec")
        defer { Fixtures.removeSegment(mutex); Fixtures.removeSegment(record) }
        let demo = Fixtures.executable("blob-ipc-demo")
        // Their mutex object, writable by anyone, held open by them.
        #expect(asNobody(["/bin/sh", "-c", "umask 0; : > /dev/shm/\(mutex)"]).status == 0)
        let start = now()
        let r = Spawn.run(demo, ["--mutex", mutex, "--segment", record, "--delay", "0"], seconds: 30)
        #expect(r.status == 77 && r.err.contains("is not trusted"), "\(r.status) \(r.err)")
        #expect(now() - start < 10)
        #expect(access("/dev/shm/" + record, F_OK) != 0, "the demo left its record segment behind")
        // Their record segment: 77 too (it was 65), and their object stays as it was.
        Fixtures.removeSegment(mutex)
        #expect(asNobody(["/bin/sh", "-c", "head -c 4096 /dev/zero > /dev/shm/\(record)"]).status == 0)
        let rec = Spawn.run(demo, ["--mutex", mutex, "--segment", record, "--delay", "0"], seconds: 30)
        #expect(rec.status == 77, "\(rec.status) \(rec.err)")
        #expect(access("/dev/shm/" + mutex, F_OK) != 0, "the demo left its mutex behind")
        var st = stat()
        #expect(stat("/dev/shm/" + record, &st) == 0 && st.st_uid == 65534)
    }
}
