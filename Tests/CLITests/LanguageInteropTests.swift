import Foundation
import Glibc
import Hashing
import SharedMemory
import Testing
import TestSupport

/// libsharedblob from other languages, in real processes: Python (the package in python/,
/// over the library this build made), C and C++ (sharedblob.h), against the Swift tools.
enum Languages {
    static let library = Fixtures.productsDirectory + "/libsharedblob.so"
    static let probe = Fixtures.packageRoot + "/Tests/Interop/Python/sb_probe.py"
    static let python = "/usr/bin/python3"
    static let header = Fixtures.packageRoot + "/Sources/CSharedBlob/include"
    static let pythonExample = Fixtures.packageRoot + "/Examples/python/publish_and_view.py"

    /// The package from the repository, its hot calls through ctypes.
    static var environment: [String: String] {
        ["SHAREDBLOB_LIBRARY": library, "PYTHONPATH": Fixtures.packageRoot + "/python", "PYTHONDONTWRITEBYTECODE": "1",
         "SHAREDBLOB_BACKEND": "ctypes"]
    }

    /// The environment of a backend: ctypes as above, or the package copied into the
    /// scratch folder with its extension (sharedblob._fast) compiled against this
    /// Python's headers, as pip builds it; nil (with the compiler's output) if that fails.
    static func environment(_ backend: PythonBackend, in s: Scratch) -> Result<[String: String], Failure> {
        guard backend == .extension else { return .success(environment) }
        let package = s.path("pkg/sharedblob")
        _ = Spawn.run("/bin/mkdir", ["-p", package])
        _ = Spawn.run("/bin/cp", [Fixtures.packageRoot + "/python/sharedblob/__init__.py", package + "/"])
        let config = Spawn.run(python, ["-c", "import sysconfig; print(sysconfig.get_paths()['include']); print(sysconfig.get_config_var('EXT_SUFFIX'))"])
        let lines = config.out.split(separator: "\n").map(String.init)
        guard lines.count == 2 else { return .failure(Failure(text: "sysconfig: \(config.out)\(config.err)")) }
        let cc = Spawn.run("/usr/bin/cc", ["-shared", "-fPIC", "-O2", "-std=c11", "-Wall", "-Werror", "-I", lines[0], "-I", header,
                                           Fixtures.packageRoot + "/python/sharedblob/_fast.c", "-o", package + "/_fast" + lines[1]])
        guard cc.status == 0 else { return .failure(Failure(text: "cc: \(cc.err)")) }
        return .success(["SHAREDBLOB_LIBRARY": library, "PYTHONPATH": s.path("pkg"), "PYTHONDONTWRITEBYTECODE": "1"])
    }

    struct Failure: Error, CustomStringConvertible { var text: String; var description: String { text } }

    /// Runs the probe; returns its status and the JSON object it printed (nil if none).
    static func probe(_ arguments: [String], extra: [String: String] = [:], prefix: [String] = [],
                      environment: [String: String] = environment) -> (Spawn.Result, [String: Any]?) {
        let argv = prefix.isEmpty ? [Self.probe] + arguments : prefix + [python, Self.probe] + arguments
        let r = Spawn.run(prefix.isEmpty ? python : prefix[0], prefix.isEmpty ? argv : Array(argv.dropFirst()),
                          environment: environment.merging(extra) { $1 })
        let json = try? JSONSerialization.jsonObject(with: Data(r.stdout)) as? [String: Any]
        return (r, json)
    }

    /// Compiles a C or C++ program against sharedblob.h and this build's library.
    static func compile(_ compiler: [String], _ source: String, to exe: String) -> Spawn.Result {
        Spawn.run(compiler[0], Array(compiler.dropFirst()) + ["-Wall", "-Werror", "-I", header, "-I", Fixtures.packageRoot + "/Examples/cpp",
                                                              source, "-o", exe, "-L", Fixtures.productsDirectory, "-lsharedblob",
                                                              "-Wl,-rpath," + Fixtures.productsDirectory])
    }

    static func sha256(_ bytes: [UInt8]) -> String { bytes.withUnsafeBytes { SHA256.hex($0) } }

    static let hasMono = access("/usr/bin/mcs", X_OK) == 0 && access("/usr/bin/mono", X_OK) == 0

    /// The C# wrapper compiled into the scratch folder, and the environment Mono runs it
    /// with; nil without Mono.
    static func csharp(in s: Scratch) -> (exe: String, environment: [String: String])? {
        guard hasMono else { return nil }
        let exe = s.path("sharedblob-cs.exe")
        guard Spawn.run("/usr/bin/mcs", ["-out:" + exe, Fixtures.packageRoot + "/Examples/csharp/SharedBlob.cs"]).status == 0 else { return nil }
        return (exe, ["LD_LIBRARY_PATH": Fixtures.productsDirectory, "MONO_DISABLE_SHARED_AREA": "1",
                      "HOME": s.path(""), "XDG_CONFIG_HOME": s.path("")])
    }
}

/// How the Python package makes its hot calls (publish, view): both are tested.
enum PythonBackend: String, CaseIterable, CustomTestStringConvertible {
    case ctypes, `extension`
    var testDescription: String { rawValue }
}

@Suite(.serialized) struct LanguageInteropTests {
    /// Python publishes a PNG; `blob-reader get` returns the same bytes and label.
    @Test(arguments: PythonBackend.allCases) func pythonPublishesWhatBlobReaderGets(backend: PythonBackend) throws {
        let s = Scratch("py")
        let env = try Languages.environment(backend, in: s).get()
        let png = asset("sunset.png")
        let (r, json) = Languages.probe(["publish", s.segment, png, "/from/python/sunset.png"], environment: env)
        #expect(json?["backend"] as? String == backend.rawValue, "\(r.out) \(r.err)")
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(json?["sequence"] as? Int == 1)
        let get = s.get(["--out", s.path("o")])
        #expect(get.status == 0, "\(get.err)")
        #expect(Fixtures.read(s.path("o")) == Fixtures.read(png))
        #expect(get.err.hasPrefix("path: /from/python/sunset.png\n"))
        #expect(get.err.contains("verified: yes"))
    }

    /// `blob-writer put` publishes; Python reads it verified, with the right SHA-256 and label.
    @Test(arguments: PythonBackend.allCases) func pythonReadsWhatBlobWriterPut(backend: PythonBackend) throws {
        let s = Scratch("py")
        let env = try Languages.environment(backend, in: s).get()
        let png = asset("sunset.png")
        #expect(s.put(png).status == 0)
        let (r, json) = Languages.probe(["read", s.segment], environment: env)
        #expect(json?["backend"] as? String == backend.rawValue, "\(r.out) \(r.err)")
        #expect(r.status == 0, "\(r.out) \(r.err)")
        let bytes = try #require(Fixtures.read(png))
        #expect(json?["sha256"] as? String == Languages.sha256(bytes))
        #expect(json?["path"] as? String == png)
        #expect(json?["length"] as? Int == bytes.count)
    }

    /// The view is the mapping itself: its address lies inside the process's mapping of
    /// /dev/shm/NAME, and hashing it gives the file's SHA-256 (no copy on the way).
    @Test(arguments: PythonBackend.allCases) func thePythonViewIsZeroCopy(backend: PythonBackend) throws {
        let s = Scratch("py")
        let env = try Languages.environment(backend, in: s).get()
        let png = asset("sunset.png")
        #expect(s.put(png).status == 0)
        let (r, json) = Languages.probe(["view-address", s.segment], environment: env)
        #expect(json?["backend"] as? String == backend.rawValue, "\(r.out) \(r.err)")
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(json?["inside_mapping"] as? Bool == true, "\(r.out)")
        #expect(json?["sha256"] as? String == Languages.sha256(try #require(Fixtures.read(png))))
    }

    /// A View's rules hold on both backends: metadata only once begun, entered once, a
    /// memoryview export alive at the block's end is a BufferError that still ends the
    /// view (the next view works), the frame's path label and content.
    @Test(arguments: PythonBackend.allCases) func thePythonViewKeepsItsRules(backend: PythonBackend) throws {
        let s = Scratch("py")
        let env = try Languages.environment(backend, in: s).get()
        Fixtures.write([7, 8, 9], to: s.path("three"))
        #expect(s.put(s.path("three")).status == 0)
        let (r, json) = Languages.probe(["view-rules", s.segment], environment: env)
        #expect(json?["backend"] as? String == backend.rawValue, "\(r.out) \(r.err)")
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(json?["before"] as? Bool == true)
        #expect(json?["path"] as? String == s.path("three"))
        #expect(json?["first"] as? Int == 7)
        #expect(json?["twice"] as? String == "InvalidArgument")
        #expect(json?["sequence"] as? Int == 1)
        #expect(json?["held"] as? String == "BufferError")
        #expect(json?["again"] as? Int == 3)
        #expect(json?["dropped"] as? Int == 7)  // a View outlives the Segment expression it came from
        #expect(json?["nan"] as? String == "InvalidArgument")
        #expect(json?["hashes"] as? Bool == true, "a Metadata hashes as its tuple")  // CPython 3.14 caches tuple hashes
    }

    /// `close()` never unmaps what is in use, on both backends: inside a view's block the
    /// bytes stay readable and the block's end unmaps them; another thread's wait keeps the
    /// mapping until it returns (with the next publish); later calls are `InvalidArgument`.
    @Test(.timeLimit(.minutes(1)), arguments: PythonBackend.allCases)
    func pythonCloseWaitsForTheViewsAndCallsInUse(backend: PythonBackend) throws {
        let s = Scratch("py")
        let env = try Languages.environment(backend, in: s).get()
        Fixtures.write([42, 1], to: s.path("two"))
        #expect(s.put(s.path("two")).status == 0)
        let (r, json) = Languages.probe(["close-in-use", s.segment], environment: env)
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(json?["during"] as? [Int] == [1, 42], "\(r.out)")
        #expect(json?["after view"] as? Int == 0 && json?["at the end"] as? Int == 0, "\(r.out)")
        #expect(json?["late"] as? String == "InvalidArgument", "\(r.out)")
        #expect(json?["while waiting"] as? Int == 1 && json?["waited"] as? Int == 2, "\(r.out)")
        #expect(json?["closed"] as? Bool == true, "\(r.out)")
    }

    /// Hostile arguments to the Python package are `InvalidArgument` (a `ValueError`), on
    /// both backends: a NUL is never silently cut off a name or a label, numbers out of the
    /// library's range never wrap, a NaN or a wrong type is never a foreign exception.
    @Test(arguments: PythonBackend.allCases) func pythonRefusesHostileArguments(backend: PythonBackend) throws {
        let s = Scratch("py")
        let env = try Languages.environment(backend, in: s).get()
        Fixtures.write([1, 2, 3], to: s.path("kept"))
        #expect(s.put(s.path("kept")).status == 0)
        let (r, json) = Languages.probe(["bad-input", s.segment], environment: env)
        #expect(r.status == 0, "\(r.out) \(r.err)")
        for case_ in ["nul name", "nul label", "surrogate label", "int name", "huge capacity", "negative after", "huge after",
                      "nan timeout", "text timeout", "huge loan", "view huge after", "view negative after", "view nan timeout",
                      "view text timeout", "view bool after"] {
            #expect(json?[case_] as? String == "InvalidArgument", "\(case_): \(r.out)")
        }
        #expect(json?["bytes name"] as? String == "accepted", "\(r.out)")
        #expect(json?["timed out"] as? String == "TimedOut", "\(r.out)")
        #expect(json?["label kept"] as? String == s.path("kept"), "nothing hostile was published: \(r.out)")
        #expect(access("/dev/shm/" + s.segment + "-x", F_OK) != 0)
    }

    /// C and C++ programs built against sharedblob.h publish; Swift and Python read it.
    @Test(arguments: [["/usr/bin/cc", "-std=c11"], ["/usr/bin/g++", "-std=c++17"]])
    func cAndCppPublishWhatSwiftAndPythonRead(compiler: [String]) throws {
        let s = Scratch("c")
        let source = Fixtures.packageRoot + (compiler[0].hasSuffix("g++") ? "/Examples/cpp/publish_and_read.cpp" : "/Examples/c/publish_and_view.c")
        let exe = s.path("example")
        let cc = Languages.compile(compiler, source, to: exe)
        try #require(cc.status == 0, "\(cc.err)")
        let png = asset("sunset.png")
        let run = Spawn.run(exe, [s.segment, png, "/from/c/sunset.png"])
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.hasPrefix("sequence 1: "), "\(run.out)")
        #expect(run.out.hasSuffix("label /from/c/sunset.png, identical to the file\n"), "\(run.out)")
        #expect(s.get(["--out", s.path("o")]).status == 0)
        #expect(Fixtures.read(s.path("o")) == Fixtures.read(png))
        let (_, json) = Languages.probe(["read", s.segment])
        #expect(json?["path"] as? String == "/from/c/sunset.png")
    }

    /// The C# P/Invoke wrapper under Mono publishes what Swift reads, and reads what
    /// Swift publishes, with the right label and SHA-256.
    @Test(.enabled(if: Languages.hasMono))
    func csharpPublishesAndReadsThroughTheLibrary() throws {
        let s = Scratch("cs")
        let (exe, env) = try #require(Languages.csharp(in: s), "mcs could not compile Examples/csharp/SharedBlob.cs")
        let png = asset("sunset.png")
        let bytes = try #require(Fixtures.read(png))
        let put = Spawn.run("/usr/bin/mono", [exe, "put", s.segment, png, "/from/csharp/sunset.png"], environment: env)
        #expect(put.status == 0, "\(put.out)\(put.err)")
        let get = s.get(["--out", s.path("o")])
        #expect(get.status == 0 && Fixtures.read(s.path("o")) == bytes, "\(get.err)")
        #expect(get.err.hasPrefix("path: /from/csharp/sunset.png\n"))
        Fixtures.write(Fixtures.bytes(count: 30_000, seed: 12), to: s.path("swift.bin"))
        #expect(s.put(s.path("swift.bin")).status == 0)
        let read = Spawn.run("/usr/bin/mono", [exe, "get", s.segment, s.path("cs.bin")], environment: env)
        #expect(read.status == 0, "\(read.out)\(read.err)")
        #expect(read.out == "path: \(s.path("swift.bin"))\nsha256: \(Languages.sha256(Fixtures.bytes(count: 30_000, seed: 12)))\nsequence: 2\n")
        #expect(Fixtures.read(s.path("cs.bin")) == Fixtures.bytes(count: 30_000, seed: 12))
    }

    /// The C# program's `get` opens a segment that must exist (a missing one is status 1,
    /// and nothing is created), prints a hostile label escaped by the library (as Python's
    /// `terminal_text` does), and reads raw bytes, which have no label.
    @Test(.enabled(if: Languages.hasMono))
    func csharpRefusesAMissingSegmentEscapesTheLabelAndReadsRawBytes() throws {
        let s = Scratch("cs")
        let (exe, env) = try #require(Languages.csharp(in: s), "mcs could not compile Examples/csharp/SharedBlob.cs")
        let missing = Spawn.run("/usr/bin/mono", [exe, "get", s.segment, s.path("x")], environment: env)
        #expect(missing.status == 1 && missing.err.hasPrefix("Error: ") && missing.err.hasSuffix("(status 1)\n"), "\(missing.err)")
        #expect(access("/dev/shm/" + s.segment, F_OK) != 0, "get created the segment it was asked to read")
        let hostile = "/x\u{1b}]0;owned\u{07}\u{9b}2J.png", shown = #"/x\x1b]0;owned\x07\u{9b}2J.png"#
        let publish = """
            import sys, sharedblob
            with sharedblob.Segment.open(sys.argv[1], create=True) as seg:
                seg.publish(sys.argv[3].encode(), path=sys.argv[2] or None)
            print(sharedblob.terminal_text(sys.argv[2]))
            """
        let py = Spawn.run(Languages.python, ["-c", publish, s.segment, hostile, "labelled"], environment: Languages.environment)
        #expect(py.status == 0 && py.out == shown + "\n", "\(py.out)\(py.err)")
        let labelled = Spawn.run("/usr/bin/mono", [exe, "get", s.segment, s.path("l")], environment: env)
        #expect(labelled.status == 0 && labelled.out.hasPrefix("path: \(shown)\nsha256: "), "\(labelled.out)\(labelled.err)")
        #expect(Fixtures.read(s.path("l")) == Array("labelled".utf8))
        #expect(Spawn.run(Languages.python, ["-c", publish, s.segment, "", "raw bytes"], environment: Languages.environment).status == 0)
        let raw = Spawn.run("/usr/bin/mono", [exe, "get", s.segment, s.path("r")], environment: env)
        #expect(raw.status == 0 && raw.out.hasPrefix("path: (none: raw bytes)\nsha256: "), "\(raw.out)\(raw.err)")
        #expect(Fixtures.read(s.path("r")) == Array("raw bytes".utf8))
    }

    /// A Python writer SIGKILLed in the middle of its publish leaves the previous blob
    /// readable to Swift, Python, C# (when Mono is there) and C alike; the next publish
    /// goes through.
    @Test(.timeLimit(.minutes(2))) func aPythonWriterKilledMidPublishLeavesThePreviousBlob() throws {
        let s = Scratch("py")
        let png = asset("sunset.png")
        #expect(s.put(png).status == 0)
        let writer = Spawn.start(Languages.python, [Languages.probe, "publish-raw-big", s.segment, String(4 << 20)],
                                 environment: Languages.environment.merging(["SHAREDBLOB_TEST_STOP_AT": String(1 << 20)]) { $1 })
        #expect(writer.waitStopped(), "the Python writer did not reach the stop point")
        writer.signal(SIGKILL)
        #expect(writer.finish().status == 128 + SIGKILL)
        let bytes = try #require(Fixtures.read(png))
        #expect(s.get(["--out", s.path("o")]).status == 0)
        #expect(Fixtures.read(s.path("o")) == bytes)
        let (_, json) = Languages.probe(["read", s.segment])
        #expect(json?["sha256"] as? String == Languages.sha256(bytes))
        if Languages.hasMono {
            let csharp = try #require(Languages.csharp(in: s), "mcs could not compile Examples/csharp/SharedBlob.cs")
            let read = Spawn.run("/usr/bin/mono", [csharp.exe, "get", s.segment, s.path("cs.png")], environment: csharp.environment)
            #expect(read.status == 0 && read.out.contains("sha256: \(Languages.sha256(bytes))\n"), "\(read.out)\(read.err)")
        }
        let exe = s.path("c_reader")
        let cc = Languages.compile(["/usr/bin/cc", "-std=c11"], Fixtures.packageRoot + "/Examples/c/publish_and_view.c", to: exe)
        try #require(cc.status == 0, "\(cc.err)")
        #expect(Spawn.run(exe, [s.segment, png, "/again"]).status == 0)  // the lock was handed on
    }

    /// A Python reader viewing while two Swift writers publish flat out never gets a torn
    /// view reported valid (overwritten views are reported as such, and discarded).
    @Test(.timeLimit(.minutes(3)), arguments: PythonBackend.allCases)
    func aPythonReaderNeverGetsATornViewReportedValid(backend: PythonBackend) throws {
        let s = Scratch("py")
        let env = try Languages.environment(backend, in: s).get()
        Fixtures.write([1], to: s.path("seed"))
        #expect(s.put(s.path("seed")).status == 0)
        let helper = Fixtures.executable("blob-test-helper")
        let writers = (1 ... 2).map { id in
            Spawn.start(helper, ["stress-writer", "--segment", s.segment, "--writer-id", String(id), "--count", "100000", "--max-size", "65536"])
        }
        defer { writers.forEach { $0.signal(SIGKILL); _ = $0.finish() } }
        // Wait (bounded) until the writers' blobs are the latest, so the views check their series.
        let started = (0 ..< 2000).contains { _ in
            var none = pollfd(fd: -1, events: 0, revents: 0)
            _ = poll(&none, 0, 5)
            return (try? BlobSegment.open(.sharedMemory(try SegmentName(s.segment)), mode: .openExisting).publishedSequence) ?? 0 > 1
        }
        try #require(started)
        let (r, json) = Languages.probe(["torn-check", s.segment, "300"], environment: env)
        #expect(json?["backend"] as? String == backend.rawValue, "\(r.out) \(r.err)")
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(json?["views"] as? Int == 300)
        #expect(json?["torn"] as? Int == 0, "\(r.out)")
    }

    /// Another user's segment is refused through the library exactly as by the CLI.
    @Test(.enabled(if: getuid() == 0 && access("/usr/bin/setpriv", X_OK) == 0))
    func anotherUsersSegmentIsRefusedThroughTheLibrary() throws {
        let s = Scratch("py")
        let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        let created = Spawn.run(nobody[0], Array(nobody.dropFirst()) + [CLI.writer, "put", "/etc/hostname", "--segment", s.segment])
        try #require(created.status == 0, "\(created.err)")
        let (r, _) = Languages.probe(["open", s.segment])
        #expect(r.status == 3)
        #expect(r.out.hasPrefix("Untrusted: segment '\(s.segment)' is not trusted: it belongs to user "), "\(r.out)")
        #expect(r.out.contains("(uid 65534)"), "\(r.out)")
        let cli = s.get(["--out", s.path("o")])
        #expect(cli.status == 77)
        #expect(cli.err.contains("is not trusted: it belongs to user ") && cli.err.contains("(uid 65534)"), "\(cli.err)")
    }

    /// docs/python.md shows Examples/python/publish_and_view.py as it is, and it runs:
    /// publish, verified read, zero-copy view, a loan, wait; Swift reads what it left.
    @Test func thePythonPageExampleRuns() throws {
        let source = String(decoding: try #require(Fixtures.read(Languages.pythonExample)), as: UTF8.self)
        let page = String(decoding: try #require(Fixtures.read(Fixtures.packageRoot + "/docs/python.md")), as: UTF8.self)
        #expect(page.contains("```python\n" + source + "```\n"), "docs/python.md does not show Examples/python/publish_and_view.py as it is")
        let s = Scratch("py")
        let png = asset("sunset.png")
        let bytes = try #require(Fixtures.read(png))
        let run = Spawn.run(Languages.python, [Languages.pythonExample, s.segment, png], environment: Languages.environment)
        #expect(run.status == 0, "\(run.out) \(run.err)")
        #expect(run.out == "sequence 1: \(bytes.count) bytes, sha256 \(Languages.sha256(bytes)); then sequence 2\n", "\(run.out)")
        let get = s.get(["--out", s.path("o")])
        #expect(get.status == 0, "\(get.err)")
        #expect(get.err.hasPrefix("path: (none: raw bytes)\n"), "\(get.err)")
        let same = Fixtures.read(s.path("o")) == Array(bytes.reversed())
        #expect(same, "the loan's blob is not the reversed file")
    }

    /// `view(after=, timeout=)` waits and views in one call: it times out with nothing
    /// newer, and returns the next blob (raw bytes: no label) once it is published.
    @Test(arguments: PythonBackend.allCases) func aPythonViewAfterASequenceWaitsForTheNextBlob(backend: PythonBackend) throws {
        let s = Scratch("py")
        let env = try Languages.environment(backend, in: s).get()
        #expect(s.put(asset("sunset.png")).status == 0)
        let (r, json) = Languages.probe(["view-after", s.segment], environment: env)
        #expect(json?["backend"] as? String == backend.rawValue, "\(r.out) \(r.err)")
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(json?["timed_out"] as? Bool == true, "\(r.out)")
        #expect(json?["sequence"] as? Int == 2 && json?["content"] as? String == "next blob", "\(r.out)")
        #expect(json?["kind"] as? Int == 3 && json?["path"] is NSNull, "\(r.out)")
    }

    /// A loan from Python writes in place and publishes the first COUNT bytes; a loan
    /// whose block raises publishes nothing.
    @Test(arguments: PythonBackend.allCases) func aPythonLoanCommitsWhatWasWrittenAndAbandonsOnError(backend: PythonBackend) throws {
        let s = Scratch("py")
        let env = try Languages.environment(backend, in: s).get()
        let png = asset("sunset.png")
        #expect(s.put(png).status == 0)
        let (r, json) = Languages.probe(["loan-publish", s.segment, "50000", "21", "40000"], environment: env)
        #expect(json?["backend"] as? String == backend.rawValue, "\(r.out) \(r.err)")
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(json?["sequence"] as? Int == 2 && json?["length"] as? Int == 40_000 && json?["latest"] as? Int == 2, "\(r.out)")
        #expect(s.get(["--out", s.path("o")]).status == 0)
        let committed = Fixtures.read(s.path("o")) == Array(Fixtures.bytes(count: 50_000, seed: 21).prefix(40_000))
        #expect(committed, "get did not return the loan's first 40000 bytes")
        let (a, abandoned) = Languages.probe(["loan-abandon", s.segment], environment: env)
        #expect(abandoned?["backend"] as? String == backend.rawValue, "\(a.out) \(a.err)")
        #expect(a.status == 0, "\(a.out) \(a.err)")
        #expect(abandoned?["before"] as? Int == 2 && abandoned?["after"] as? Int == 2 && abandoned?["open"] as? Bool == false, "\(a.out)")
        #expect(s.get(["--out", s.path("o2")]).status == 0)
        let kept = Fixtures.read(s.path("o2")) == Fixtures.read(s.path("o"))
        #expect(kept, "the abandoned loan changed the blob")
    }

    /// A Python writer SIGKILLed while it holds a loan (the writers' lock) hands the lock
    /// on: the next Python writer publishes at once, and the previous blob was never lost.
    @Test(.timeLimit(.minutes(2))) func aPythonWriterKilledHoldingALoanHandsTheLockOn() throws {
        let s = Scratch("py")
        let png = asset("sunset.png")
        #expect(s.put(png).status == 0)
        let holder = Spawn.start(Languages.python, [Languages.probe, "loan-hold", s.segment], environment: Languages.environment)
        #expect(holder.waitStopped(), "the Python writer did not take its loan")
        #expect(s.get(["--out", s.path("o")]).status == 0)
        let previous = Fixtures.read(s.path("o")) == Fixtures.read(png)
        #expect(previous, "the previous blob is not readable while the loan is open")
        holder.signal(SIGKILL)
        #expect(holder.finish().status == 128 + SIGKILL)
        let (r, json) = Languages.probe(["loan-publish", s.segment, "3000", "5", "3000"])
        #expect(r.status == 0, "\(r.out) \(r.err)")
        #expect(json?["sequence"] as? Int == 2, "\(r.out)")
        #expect(s.get(["--out", s.path("o2")]).status == 0)
        let handedOn = Fixtures.read(s.path("o2")) == Fixtures.bytes(count: 3000, seed: 5)
        #expect(handedOn, "the next writer's blob is not what get returns")
    }

    /// Python publishes a PNG labelled with its path; the reader app in tmux shows it
    /// identical to the file on disk, with its dimensions.
    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available))
    func theReaderAppShowsAPythonPublishIdenticalToTheFile() throws {
        let s = Scratch("py")
        let png = asset("sunset.png")
        let (r, _) = Languages.probe(["publish", s.segment, png, png])
        try #require(r.status == 0, "\(r.out) \(r.err)")
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.newShell("r", width: 100, height: 40, directory: "/tmp", environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        tmux.send("r", ["'\(CLI.reader)' --segment \(s.segment)", "Enter"])
        let (up, first) = tmux.waitFor("r") { $0.contains("Press r to read the latest blob") }
        try #require(up, "reader screen: \(first)")
        tmux.send("r", ["r"])
        let (shown, screen) = tmux.waitFor("r") {
            $0.contains("compare:  identical to the file on disk") && $0.contains("PNG  160 x 120, 8-bit RGB")
        }
        #expect(shown, "reader screen: \(screen)")
        tmux.send("r", ["q"])
    }
}
