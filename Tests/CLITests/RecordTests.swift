import Glibc
import SharedMemory
import SharedRecords
import Testing
import TestSupport

@Suite struct RecordLayoutTests {
    /// The generated header, compiled as C11 and as C++17, gives Swift's offsets and size.
    @Test(arguments: TestData.known.map(\.name), [["/usr/bin/cc", "-std=c11"], ["/usr/bin/g++", "-std=c++17", "-x", "c++"]])
    func cAndCppCompilersAgreeWithSwiftOffsets(name: String, compiler: [String]) throws {
        let layout = try #require(TestData.known.first { $0.name == name })
        let s = Scratch("layout")
        // The header comes from the command, exactly as a user would get it.
        let header = Spawn.run(CLI.writer, ["layout", name, "--c-header"])
        #expect(header.status == 0)
        Fixtures.write(header.stdout, to: s.path("\(name).h"))
        var program = "#include <stdio.h>\n#include \"\(name).h\"\nint main(void) {\n"
        for f in layout.fields { program += "  printf(\"%s %zu\\n\", \"\(f.name)\", offsetof(\(name), \(f.name)));\n" }
        program += "  printf(\"sizeof %zu\\n\", sizeof(\(name)));\n  return 0;\n}\n"
        Fixtures.write(Array(program.utf8), to: s.path("check.c"))
        let cc = Spawn.run(compiler[0], Array(compiler.dropFirst()) + ["-Wall", "-Werror", "-I", s.dir, s.path("check.c"), "-o", s.path("check")])
        #expect(cc.status == 0, "\(cc.err)")
        let out = Spawn.run(s.path("check"), []).out
        var expected = layout.fields.map { "\($0.name) \(layout.offset(of: $0.name))" }
        expected.append("sizeof \(layout.size)")
        #expect(out == expected.joined(separator: "\n") + "\n")
    }
}

@Suite struct StructCommandTests {
    @Test func putStructAndGetStructPrintTheSeedsToString() {
        let s = Scratch("struct")
        let put = Spawn.run(CLI.writer, ["put-struct", "--segment", s.segment])
        #expect(put.status == 0)
        #expect(put.out == "published sequence 1: TestData Id=100,Age=20,Scores=60,61,62,63,64,65,66,67,68,69\n")
        let get = Spawn.run(CLI.reader, ["get-struct", "--segment", s.segment])
        #expect(get.out == "Id=100,Age=20,Scores=60,61,62,63,64,65,66,67,68,69\n")
        let custom = Spawn.run(CLI.writer, ["put-struct", "--segment", s.segment, "--id", "7", "--age=-1",
                                            "--scores", "1,2,3,4,5,6,7,8,9,2147483647"])
        #expect(custom.status == 0)
        #expect(Spawn.run(CLI.reader, ["get-struct", "--segment", s.segment]).out == "Id=7,Age=-1,Scores=1,2,3,4,5,6,7,8,9,2147483647\n")
        // The header tags the kind: get refuses a struct, get-struct refuses a file.
        let info = Spawn.run(CLI.reader, ["info", "--segment", s.segment])
        #expect(info.out.contains("kind: test-data") && info.out.contains("length: 48"))
        #expect(Spawn.run(CLI.reader, ["get", "--segment", s.segment, "--out", s.path("x")]).status == 65)
        #expect(s.put(asset("sunset.png")).status == 0)
        let wrong = Spawn.run(CLI.reader, ["get-struct", "--segment", s.segment])
        #expect(wrong.status == 65 && wrong.err.hasPrefix("Error: the latest blob is a file, not a TestData record"))
        let bad = Spawn.run(CLI.writer, ["put-struct", "--segment", s.segment, "--scores", "1,2,3"])
        #expect(bad.status == 64 && bad.err == "Error: --scores needs exactly 10 comma-separated 32-bit integers\n")
    }
}

@Suite(.serialized) struct NamedMutexTests {
    static let demo = Fixtures.executable("blob-ipc-demo")

    @Test(.timeLimit(.minutes(2)))
    func aDeadHoldersMutexGoesToTheNextLockerWhoIsTold() throws {
        let name = Fixtures.uniqueSegmentName("mtx")
        defer { Fixtures.removeSegment(name) }
        let mutex = try NamedMutex(try SegmentName(name))
        for round in 0 ..< 3 {
            let holder = Spawn.start(Fixtures.executable("blob-test-helper"), ["hold-mutex", name])
            #expect(holder.waitForOutput("locked acquired\n"), "round \(round)")
            #expect(try mutex.tryLock() == nil)  // really held
            holder.signal(SIGKILL)
            _ = holder.finish()
            let t0 = now()
            let how = try mutex.lock(timeout: .seconds(5))
            let elapsed = now() - t0
            #expect(how == .previousOwnerDied, "round \(round)")
            #expect(elapsed < 0.1, "took \(elapsed) s")
            try mutex.unlock()
            // Usable for ever after: a normal lock, then another process, then us again.
            #expect(try mutex.lock() == .acquired)
            try mutex.unlock()
        }
    }

    @Test(.timeLimit(.minutes(2)))
    func lockWithTimeoutExpiresWhileHeld() throws {
        let name = Fixtures.uniqueSegmentName("mtxt")
        defer { Fixtures.removeSegment(name) }
        let holder = Spawn.start(Fixtures.executable("blob-test-helper"), ["hold-mutex", name])
        #expect(holder.waitForOutput("locked acquired\n"))
        let mutex = try NamedMutex(try SegmentName(name), create: false)
        let t0 = now()
        #expect(try mutex.lock(timeout: .milliseconds(150)) == nil)
        let elapsed = now() - t0
        #expect(elapsed >= 0.149 && elapsed < 5)
        #expect(try mutex.tryLock() == nil)
        holder.signal(SIGKILL)
        _ = holder.finish()
        #expect(try mutex.lock(timeout: .seconds(5)) == .previousOwnerDied)
        try mutex.unlock()
        #expect(throws: SharedMemoryError.self) { try mutex.unlock() }  // not held: EPERM
    }

    @Test func aMissingMutexIsNotFound() throws {
        let name = try SegmentName(Fixtures.uniqueSegmentName("nomtx"))
        #expect(throws: SharedMemoryError.notFound(.sharedMemory(name))) { try NamedMutex(name, create: false) }
    }
}

@Suite struct IpcDemoTests {
    static let demo = Fixtures.executable("blob-ipc-demo")

    @Test(.timeLimit(.minutes(2)))
    func theParentAndTheCChildHaveTheSeedsConversation() {
        let seg = Fixtures.uniqueSegmentName("chan"), mtx = Fixtures.uniqueSegmentName("mutex")
        defer { Fixtures.removeSegment(seg); Fixtures.removeSegment(mtx) }
        let r = Spawn.run(Self.demo, ["--delay", "0.2", "--segment", seg, "--mutex", mtx])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out == """
            [Parent] Process started
            [Parent] Sending: hello world!
            [Child] Process started
            [Child] Received: hello world!
            [Parent] Sending: terminate
            [Child] Received: terminate
            [Child] Process terminated
            [Parent] Process terminated

            """)
        #expect(access("/dev/shm/" + seg, F_OK) != 0 && access("/dev/shm/" + mtx, F_OK) != 0)
    }

    @Test func aMissingOrFailingChildIsAClearErrorNotAHang() {
        let seg = Fixtures.uniqueSegmentName("chan"), mtx = Fixtures.uniqueSegmentName("mutex")
        defer { Fixtures.removeSegment(seg); Fixtures.removeSegment(mtx) }
        let missing = Spawn.run(Self.demo, ["--child", "/nonexistent/child", "--segment", seg, "--mutex", mtx])
        #expect(missing.status == 69 && missing.err == "Error: child program not found or not executable: /nonexistent/child\n")
        let failing = Spawn.run(Self.demo, ["--child", "/bin/false", "--segment", seg, "--mutex", mtx], seconds: 30)
        #expect(failing.status == 70)
        #expect(failing.err == "Error: the child exited with status 1 before reading the message\n")
        #expect(access("/dev/shm/" + seg, F_OK) != 0 && access("/dev/shm/" + mtx, F_OK) != 0)
        let child = Spawn.run(Fixtures.executable("blob-ipc-child"), [mtx, seg], seconds: 30)
        #expect(child.status == 69 && child.err.hasPrefix("Error: cannot open mutex"))
    }
}
