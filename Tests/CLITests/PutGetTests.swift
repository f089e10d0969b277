import Glibc
import Testing
import TestSupport

@Suite struct PutGetTests {
    @Test(arguments: assetNames)
    func assetsRoundTripByteIdentical(name: String) throws {
        let s = Scratch()
        let put = s.put(asset(name))
        #expect(put.status == 0, "\(put.err)")
        let out = s.path("copy")
        let get = s.get(["--out", out])
        #expect(get.status == 0, "\(get.err)")
        let original = try #require(Fixtures.read(asset(name)))
        #expect(Fixtures.read(out) == original)
        // put prints the SHA-256 exactly as sha256sum does.
        let sum = Spawn.run("/usr/bin/sha256sum", [asset(name)])
        let lines = put.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first == "published sequence 1: \(original.count) bytes")
        #expect(lines.last == sum.out.trimmingSuffixNewline())
        let hash = String(sum.out.prefix(64))
        #expect(get.err == "path: \(asset(name))\nbytes: \(original.count)\nsha256: \(hash)\nsequence: 1\n"
                + "verified: yes (XXH3-64 checksum)\n")
    }

    @Test(arguments: [0, 1])
    func tinyContentRoundTrips(size: Int) throws {
        let s = Scratch()
        let file = s.path("f\(size)")
        Fixtures.write(Array(repeating: 0x5A, count: size), to: file)
        #expect(s.put(file).status == 0)
        let get = Spawn.run("/bin/sh", ["-c", "'\(CLI.reader)' get --segment \(s.segment) > '\(s.path("o"))'"])
        #expect(get.status == 0)
        #expect(Fixtures.read(s.path("o")) == Array(repeating: 0x5A, count: size))
    }

    @Test func exactlyCapacityFitsAndOneByteMoreIsRefusedKeepingThePrevious() throws {
        let s = Scratch()
        let capacity = 100_000
        let file = s.path("big")
        let pathLength = file.utf8.count  // the temp dir has no symlinks
        let fits = Fixtures.bytes(count: capacity - 8 - pathLength, seed: 1)
        Fixtures.write(fits, to: file)
        let ok = s.put(file, ["--capacity", String(capacity)])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(s.get(["--out", s.path("o")]).status == 0)
        #expect(Fixtures.read(s.path("o")) == fits)

        let over = s.path("bigg")  // one byte longer path: frame is capacity + 1
        Fixtures.write(fits, to: over)
        let refused = s.put(over)
        #expect(refused.status == 67)
        // The size, what the segment holds, and the commands that make room, with this segment's flags.
        #expect(refused.err == "Error: '\(over)' is 97.6 KiB, \(capacity + 1) bytes with its path label; "
            + "segment '\(s.segment)' holds \(capacity) bytes per blob. Recreate it larger: blob-writer rm --segment \(s.segment) "
            + "&& blob-writer put \(over) --segment \(s.segment) --capacity 1MiB\n")
        #expect(s.get(["--out", s.path("o2")]).status == 0)
        #expect(Fixtures.read(s.path("o2")) == fits)
    }

    @Test func tooLargeForANewSegmentIsRefusedBeforeCreatingIt() {
        let s = Scratch()
        let file = s.path("f")
        Fixtures.write(Array(repeating: 1, count: 5000), to: file)
        let r = s.put(file, ["--capacity", "4096"])
        #expect(r.status == 67)
        #expect(access("/dev/shm/" + s.segment, F_OK) != 0)
    }

    /// `put`'s second line is what sha256sum prints, escapes included, and a capacity
    /// that contradicts the existing segment is refused with the remedy.
    @Test(arguments: ["plain name.png", "new\nline.png", "back\\slash.png", "tab\there.png", "ünï.png"])
    func putPrintsTheSha256sumLineExactly(name: String) {
        let s = Scratch()
        let file = s.path(name)
        Fixtures.write(Array(name.utf8), to: file)
        let put = s.put(file)
        #expect(put.status == 0, "\(put.err)")
        let sum = Spawn.run("/usr/bin/sha256sum", [file])
        #expect(put.out.split(separator: "\n", omittingEmptySubsequences: false).dropFirst().first.map(String.init)
            == sum.out.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init))
    }

    @Test func aCapacityThatContradictsTheSegmentIsRefusedWithTheRemedy() {
        let s = Scratch()
        Fixtures.write([1, 2, 3], to: s.path("f"))
        #expect(s.put(s.path("f"), ["--capacity", "64KiB"]).status == 0)
        #expect(s.put(s.path("f"), ["--capacity", "65536"]).status == 0)  // the same, in bytes
        let r = s.put(s.path("f"), ["--capacity", "1MiB"])
        #expect(r.status == 64)
        #expect(r.err == "Error: segment '\(s.segment)' holds 64 KiB per blob, not the 1 MiB asked for. Keep it (leave out "
            + "--capacity) or recreate it: blob-writer rm --segment \(s.segment) && blob-writer put FILE --segment \(s.segment) "
            + "--capacity 1MiB\n")
        #expect(s.put(s.path("f")).status == 0)  // without --capacity: the segment's own
    }

    /// The reader app saves into $XDG_DOWNLOAD_DIR, else ~/Downloads, else home.
    @Test func theDefaultSaveFolder() {
        let s = Scratch()
        let home = s.dir + "/home"
        mkdir(home, 0o755)
        func folder(_ env: [String: String]) -> String {
            Spawn.run(CLI.helper, ["default-save-directory"], environment: env).out.trimmingSuffix("\n")
        }
        #expect(folder(["HOME": home, "XDG_DOWNLOAD_DIR": ""]) == home)
        mkdir(home + "/Downloads", 0o755)
        #expect(folder(["HOME": home, "XDG_DOWNLOAD_DIR": ""]) == home + "/Downloads")
        #expect(folder(["HOME": home, "XDG_DOWNLOAD_DIR": s.dir]) == s.dir)
        #expect(folder(["HOME": home, "XDG_DOWNLOAD_DIR": s.dir + "/missing"]) == home + "/Downloads")
    }

    /// Every --help states each default once (ArgumentParser's "(default: …)" or ours).
    @Test func helpSaysEachDefaultOnce() {
        let commands: [[String]] = [[CLI.writer, "put"], [CLI.writer, "browse"], [CLI.writer, "rm"], [CLI.writer, "put-struct"],
                                    [CLI.reader, "get"], [CLI.reader, "view"], [CLI.reader, "info"], [CLI.reader, "preview"],
                                    [CLI.reader, "get-struct"], [CLI.writer, "layout"]]
        for argv in commands {
            let help = Spawn.run(argv[0], Array(argv.dropFirst()) + ["--help"]).out
            #expect(help.contains("OPTIONS:"), "\(argv)")
            // Options are blocks that start at two spaces and a dash; their continuation lines are indented more.
            var blocks = [String]()
            for line in help.split(separator: "\n") {
                if line.hasPrefix("  -") || line.hasPrefix("  <") { blocks.append(String(line)) } else if !blocks.isEmpty, line.hasPrefix("      ") {
                    blocks[blocks.count - 1] += " " + line.trimmingPrefix(while: { $0 == " " })
                }
            }
            #expect(blocks.count >= 2, "\(argv): no options found in \(help)")
            for block in blocks {
                let defaults = block.components(separatedBy: "default").count - 1
                #expect(defaults <= 1, "\(argv): \(block)")
            }
        }
    }

    /// A writer that holds the lock (alive, never releasing) cannot block put for ever:
    /// the wait is bounded and the error names the holder.
    @Test func aHeldLockIsATimeoutThatNamesTheHolder() throws {
        let s = Scratch()
        Fixtures.write([1, 2, 3], to: s.path("f"))
        Fixtures.write(Fixtures.bytes(count: 100_000, seed: 3), to: s.path("big"))
        #expect(s.put(s.path("f")).status == 0)
        // A writer frozen in the middle of its publish holds the writers' lock.
        let holder = Spawn.start(CLI.writer, ["put", s.path("big"), "--segment", s.segment],
                                 environment: ["SHAREDBLOB_TEST_STOP_AT": "50000"])
        defer { holder.signal(SIGKILL); _ = holder.finish() }
        #expect(holder.waitStopped())
        let r = s.put(s.path("f"), ["--lock-timeout", "0.3"])
        #expect(r.status == 75, "\(r.err)")
        #expect(r.err.hasPrefix("Error: segment '\(s.segment)' stayed locked by process \(holder.pid) for 300 ms"), "\(r.err)")
        // What was published before is still there, intact.
        #expect(s.get(["--out", s.path("o")]).status == 0 && Fixtures.read(s.path("o")) == [1, 2, 3])
    }

    /// `get --out` renames the file into place without flushing it (like cp); `--sync`
    /// flushes it first (fsync), for durability across a power cut. Seen with strace.
    @Test func getFlushesTheOutputOnlyWithSync() throws {
        let s = Scratch()
        Fixtures.write(Fixtures.bytes(count: 200_000, seed: 8), to: s.path("f"))
        #expect(s.put(s.path("f")).status == 0)
        for sync in [false, true] {
            let trace = s.path("trace-\(sync)")
            let r = Spawn.run("/usr/bin/strace", ["-f", "-e", "trace=fsync,fdatasync", "-o", trace, CLI.reader,
                                                  "get", "--segment", s.segment, "--out", s.path("o")] + (sync ? ["--sync"] : []))
            #expect(r.status == 0, "\(r.err)")
            #expect(Fixtures.read(s.path("o")) == Fixtures.read(s.path("f")))
            let calls = String(decoding: try #require(Fixtures.read(trace)), as: UTF8.self)
            #expect(calls.contains("fsync(") == sync, "\(calls)")
        }
    }

    /// get --wait follows a segment that is removed and created again under its name.
    @Test func waitingFollowsASegmentRemovedAndCreatedAgain() throws {
        let s = Scratch()
        Fixtures.write([1], to: s.path("one"))
        Fixtures.write([2, 2], to: s.path("two"))
        #expect(s.put(s.path("one")).status == 0)
        let waiting = Spawn.start(CLI.reader, ["get", "--segment", s.segment, "--wait", "--timeout", "30", "--out", s.path("o")])
        // Bounded: wait until the reader is blocked on the segment (it has it open).
        let opened = (0 ..< 2000).contains { _ in
            var p = pollfd(fd: -1, events: 0, revents: 0)
            _ = poll(&p, 0, 5)
            return Spawn.run("/bin/sh", ["-c", "ls -l /proc/\(waiting.pid)/fd 2>/dev/null | grep -q /dev/shm/\(s.segment)"]).status == 0
        }
        #expect(opened)
        #expect(Spawn.run(CLI.writer, ["rm", "--segment", s.segment]).status == 0)
        #expect(s.put(s.path("two")).status == 0)  // a new segment, sequence 1 again
        let r = waiting.finish(seconds: 40)
        #expect(r.status == 0, "\(r.err)")
        #expect(Fixtures.read(s.path("o")) == [2, 2])
    }

    /// A label with a bidi override and the line and paragraph separators never reaches
    /// a terminal raw, in text or in JSON.
    @Test func infoEscapesBidiAndSeparators() {
        let s = Scratch()
        let name = s.path("gpj\u{202e}.exe\u{2028}x\u{2029}y")
        Fixtures.write([1], to: name)
        #expect(s.put(name).status == 0)
        let json = Spawn.run(CLI.reader, ["info", "--segment", s.segment, "--json"]).out
        #expect(json.contains("gpj\\u202e.exe\\u2028x\\u2029y"), "\(json)")
        let text = Spawn.run(CLI.reader, ["info", "--segment", s.segment]).out
        #expect(text.contains("gpj\\u{202e}.exe\\u{2028}x\\u{2029}y"), "\(text)")
        #expect(!json.unicodeScalars.contains { [0x202E, 0x2028, 0x2029].contains($0.value) })
        #expect(!text.unicodeScalars.contains { [0x202E, 0x2028, 0x2029].contains($0.value) })
    }

    /// A file name that is not UTF-8 publishes; its label shows the odd bytes as \xNN.
    @Test func aNameThatIsNotUTF8Publishes() {
        let s = Scratch()
        let script = "f=$(printf '\(s.dir)/caf\\351.png'); printf 'hello' > \"$f\"; exec '\(CLI.writer)' put \"$f\" --segment \(s.segment)"
        let put = Spawn.run("/bin/sh", ["-c", script])
        #expect(put.status == 0, "\(put.err)")
        #expect(put.out.hasSuffix("  \(s.dir)/caf\\\\xe9.png\n"), "\(put.out)")  // sha256sum-style: \ before \xe9
        let get = s.get(["--out", s.path("o")])
        #expect(get.status == 0 && Fixtures.read(s.path("o")) == Array("hello".utf8))
        #expect(get.err.hasPrefix("path: \(s.dir)/caf\\\\xe9.png\n"), "\(get.err)")
    }

    @Test func errorsAreOneLineWithDistinctExitCodes() {
        let s = Scratch()
        Fixtures.write([1], to: s.path("ok"))
        mkfifo(s.path("fifo.png"), 0o600)
        symlink("/dev/zero", s.path("zero.png"))  // swapped in for an image: never read
        _ = Spawn.run("/usr/bin/truncate", ["-s", "3G", s.path("sparse.png")])
        let cases: [([String], Int32, String)] = [
            ([CLI.writer, "put", s.path("missing"), "--segment", s.segment], 74, "Error: cannot read '\(s.path("missing"))': No such file or directory"),
            ([CLI.writer, "put", s.dir, "--segment", s.segment], 74, "Error: '\(s.dir)' is a directory, not a file"),
            ([CLI.writer, "put", "", "--segment", s.segment], 64, "Error: the file path is empty"),
            ([CLI.writer, "put", s.path("ok"), "--segment", "a/b"], 64,
             "Error: invalid segment name 'a/b': it contains '/'; names are 1 to 250 characters of letters, digits, '.', '_' or '-'"),
            ([CLI.writer, "put", s.path("ok"), "--segment", String(repeating: "n", count: 300)], 64, "Error: invalid segment name"),
            ([CLI.writer, "put"], 64, "Error: Missing expected argument '<file>'"),
            ([CLI.writer, "frobnicate"], 64, "Error: "),
            ([CLI.reader, "get", "--segment", s.segment, "--out", s.path("x")], 66,
             "Error: segment '\(s.segment)' does not exist yet (publish into it: blob-writer put FILE --segment \(s.segment), "
             + "or pick a file in blob-writer --segment \(s.segment))"),
            ([CLI.reader, "info", "--segment", s.segment], 66, "Error: segment '\(s.segment)' does not exist yet"),
            ([CLI.writer, "rm", "--segment", s.segment], 66, "Error: segment '\(s.segment)' does not exist: nothing to remove"),
            ([CLI.reader, "get", "--timeout", "-1", "--wait"], 64, "Error: --timeout must be a number of seconds, 0 or more (got '-1')"),
            ([CLI.reader, "get", "--timeout", "5"], 64, "Error: --timeout bounds a wait: add --wait or --after SEQ"),
            ([CLI.reader, "get", "--segment", s.segment, "--file", s.path("f")], 64, "Error: --segment and --file name two different segments"),
            ([CLI.writer, "put", s.path("ok"), "--capacity", "0"], 64, "Error: The value '0' is invalid for '--capacity <SIZE>'"),
            ([CLI.writer, "put", s.path("ok"), "--capacity", "-1"], 64, "Error: The value '-1' is invalid for '--capacity <SIZE>'"),
            ([CLI.reader, "preview", s.path("ok"), "--mode", "ascii", "--color", "256"], 64, "Error: --color 256 needs blocks, not --mode ascii"),
            ([CLI.reader, "preview", s.path("ok"), "--mode", "blocks", "--invert"], 64, "Error: --invert changes ASCII and grey shades"),
            ([CLI.reader, "preview", s.path("fifo.png")], 74, "Error: '\(s.path("fifo.png"))' is not a regular file"),
            ([CLI.writer, "put", s.path("zero.png"), "--segment", s.segment], 74, "Error: '\(s.path("zero.png"))' is not a regular file"),
            ([CLI.writer, "put", s.path("fifo.png"), "--segment", s.segment], 74, "Error: '\(s.path("fifo.png"))' is not a regular file"),
            ([CLI.reader, "preview", s.path("sparse.png")], 69, "Error: '\(s.path("sparse.png"))' is 3 GiB, over the 256 MiB that preview reads"),
            ([CLI.reader, "get", "--timeout=-1"], 64, "Error: --timeout must be"),
        ]
        for (argv, status, prefix) in cases {
            let r = Spawn.run(argv[0], Array(argv.dropFirst()))
            #expect(r.status == status, "\(argv): \(r.err)")
            #expect(r.err.hasPrefix(prefix), "\(argv): \(r.err)")
            #expect(r.err.filter { $0 == "\n" }.count == 1, "\(argv): one line, got \(r.err)")
            #expect(r.out.isEmpty)
        }
    }

    @Test func foreignSegmentIsRefusedUntilForced() {
        let s = Scratch()
        let junk = [UInt8](repeating: 0x42, count: 10_000)
        Fixtures.write(junk, to: "/dev/shm/" + s.segment)
        Fixtures.write([1, 2], to: s.path("f"))
        let put = s.put(s.path("f"))
        #expect(put.status == 65)
        #expect(put.err.hasPrefix("Error: segment '\(s.segment)' is not a SharedBlob segment: wrong magic number"))
        #expect(Fixtures.read("/dev/shm/" + s.segment) == junk)
        let info = Spawn.run(CLI.reader, ["info", "--segment", s.segment])
        #expect(info.status == 65)
        // The remedy names the command that has --force, with this segment's flag.
        #expect(info.err.hasSuffix("(check the name; if the C# article's programs use it, add --layout article; "
                                   + "blob-writer put FILE --segment \(s.segment) --force replaces it)\n"), "\(info.err)")
        #expect(Spawn.run(CLI.writer, ["rm", "--segment", s.segment]).status == 65)
        #expect(s.put(s.path("f"), ["--force"]).status == 0)
        #expect(s.get(["--out", s.path("o")]).status == 0)
        #expect(Fixtures.read(s.path("o")) == [1, 2])
    }

    @Test func emptySegmentSaysSoAndBinaryIsNotWrittenToATerminal() {
        let s = Scratch()
        Fixtures.write([1], to: s.path("f"))
        #expect(s.put(s.path("f")).status == 0)
        #expect(Spawn.run(CLI.writer, ["rm", "--segment", s.segment]).status == 0)
        #expect(Spawn.run(CLI.reader, ["get", "--segment", s.segment, "--out", s.path("o")]).status == 66)
    }

    @Test func pathLabelsAreEscapedOnStderr() throws {
        let s = Scratch()
        let evil = s.path("a\u{1b}[31mred\nline.png")
        Fixtures.write([1, 2, 3], to: evil)
        let put = s.put(evil)
        #expect(put.status == 0)
        #expect(!put.out.contains("\u{1b}") && put.out.contains("\\x1b[31mred\\nline.png"))
        let get = s.get(["--out", s.path("o")])
        #expect(get.status == 0)
        #expect(!get.err.contains("\u{1b}"))
        #expect(get.err.hasPrefix("path: \(s.dir)/a\\x1b[31mred\\nline.png\n"))
        let info = Spawn.run(CLI.reader, ["info", "--segment", s.segment, "--json"])
        #expect(info.out.contains("a\\u001b[31mred\\nline.png"))
    }

    @Test func infoShowsHeaderAndLatestBlob() throws {
        let s = Scratch()
        #expect(s.put(asset("sunset.png")).status == 0)
        let info = Spawn.run(CLI.reader, ["info", "--segment", s.segment])
        #expect(info.status == 0)
        let size = try #require(Fixtures.read(asset("sunset.png"))).count
        for line in ["segment: \(s.segment)", "layout_version: 2", "header_size: 256", "capacity: 10485760",
                     "sequence: 1", "kind: image-data", "path: \(asset("sunset.png"))", "content_length: \(size)",
                     "writer_pid: "] {
            #expect(info.out.contains(line), "\(line) in \(info.out)")
        }
        let json = Spawn.run(CLI.reader, ["info", "--segment", s.segment, "--json"])
        #expect(json.out.hasPrefix("{\"segment\":\"\(s.segment)\",\"location\":\"/dev/shm/\(s.segment)\",\"layout\":\"blob\",\"layout_version\":2,"))
        #expect(json.out.contains("\"content_length\":\(size)}"))
    }

    @Test func fileBackedSegmentThroughTheCommands() throws {
        let s = Scratch()
        let seg = s.path("blob.seg")
        #expect(Spawn.run(CLI.writer, ["put", asset("sunset.jpg"), "--file", seg]).status == 0)
        #expect(Spawn.run(CLI.reader, ["get", "--file", seg, "--out", s.path("o")]).status == 0)
        #expect(Fixtures.read(s.path("o")) == Fixtures.read(asset("sunset.jpg")))
        #expect(Spawn.run(CLI.writer, ["rm", "--file", seg]).status == 0)
        #expect(access(seg, F_OK) != 0)
    }

    @Test func getWaitsForTheNextPublishAndTimesOut() throws {
        let s = Scratch()
        #expect(s.put(asset("sunset.png")).status == 0)
        let timedOut = s.get(["--wait", "--timeout", "0.1", "--out", s.path("t")])
        #expect(timedOut.status == 75)
        #expect(timedOut.err == "Error: timed out waiting for a blob newer than sequence 1\n")
        let waiter = Spawn.start(CLI.reader, ["get", "--segment", s.segment, "--after", "1", "--timeout", "30", "--out", s.path("w")])
        #expect(s.put(asset("sunset.jpg")).status == 0)
        let r = waiter.finish()
        #expect(r.status == 0, "\(r.err)")
        #expect(r.err.hasSuffix("sequence: 2\nverified: yes (XXH3-64 checksum)\n"))
        #expect(Fixtures.read(s.path("w")) == Fixtures.read(asset("sunset.jpg")))
    }
}

extension String {
    func trimmingSuffixNewline() -> String { hasSuffix("\n") ? String(dropLast()) : self }
}

@Suite struct NoSpaceTests {
    static var canMountTmpfs: Bool { Spawn.run("/usr/bin/unshare", ["-m", "true"]).status == 0 }

    /// A segment created on a full file system is an ENOSPC error at creation (pages are
    /// reserved with posix_fallocate), not a SIGBUS later, and leaves no file behind.
    @Test(.enabled(if: canMountTmpfs))
    func aFullFileSystemIsAnErrorAtCreation() {
        let s = Scratch("nospc")
        let mnt = s.path("mnt")
        mkdir(mnt, 0o755)
        let script = """
            mount -t tmpfs -o size=1m tmpfs '\(mnt)' || exit 99
            '\(CLI.writer)' put '\(asset("sunset.png"))' --file '\(mnt)/seg'; echo "status=$?"
            ls -A '\(mnt)' | wc -l
            '\(CLI.writer)' put '\(asset("sunset.png"))' --file '\(mnt)/small' --capacity 100000; echo "status=$?"
            '\(CLI.reader)' get --file '\(mnt)/small' --out '\(s.path("got"))'; echo "status=$?"
            """
        let r = Spawn.run("/usr/bin/unshare", ["-m", "/bin/sh", "-c", script])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n").map(String.init)
        #expect(lines.first == "status=74")
        #expect(r.err.hasPrefix("Error: no space left to create segment file '\(mnt)/seg' (20975616 bytes needed)\n"))
        #expect(lines.dropFirst().first?.filter { $0 != " " } == "0")  // nothing left behind
        #expect(lines.contains("status=0") && lines.last == "status=0")
        #expect(Fixtures.read(s.path("got")) == Fixtures.read(asset("sunset.png")))
    }

    /// A remedy names the writer as the user can run it: `blob-writer` when PATH finds
    /// this build's, its absolute path when not (`swift run`, `.build/release/...`).
    @Test func remediesNameTheWriterAsItCanBeRun() {
        let missing = Fixtures.uniqueSegmentName("nope")
        let installed = Spawn.run(CLI.reader, ["get", "--segment", missing])
        #expect(installed.err.contains("(publish into it: blob-writer put FILE --segment \(missing),"), "\(installed.err)")
        let built = Spawn.run(CLI.reader, ["get", "--segment", missing], environment: ["PATH": "/usr/bin:/bin"])
        #expect(built.status == 66)
        // The absolute path, shell-quoted when the clone's path needs it.
        let named = built.err.contains("/blob-writer put FILE --segment \(missing),")
            || built.err.contains("/blob-writer' put FILE --segment \(missing),")
        #expect(named && !built.err.contains("(publish into it: blob-writer"), "\(built.err)")
    }

    @Test func bothExecutablesPrintOneVersion() {
        let w = Spawn.run(CLI.writer, ["--version"]), r = Spawn.run(CLI.reader, ["--version"])
        #expect(w.status == 0 && r.status == 0)
        #expect(w.out == r.out && w.out.split(separator: ".").count == 3, "\(w.out) \(r.out)")
    }

    /// A segment with our magic whose size no longer matches its header (truncated by
    /// its owner) is refused, and `put --force` repairs it, as the remedy says.
    @Test func forceRepairsASegmentWithOurMagicThatDoesNotAttach() throws {
        let s = Scratch("force")
        #expect(s.put(asset("sunset.png")).status == 0)
        #expect(truncate("/dev/shm/" + s.segment, 8192) == 0)
        let refused = s.put(asset("sunset.jpg"))
        #expect(refused.status == 65 && refused.err.contains("--force replaces it"), "\(refused.err)")
        let forced = s.put(asset("sunset.jpg"), ["--force"])
        #expect(forced.status == 0, "\(forced.err)")
        #expect(s.get(["--out", s.path("o")]).status == 0)
        #expect(Fixtures.read(s.path("o")) == Fixtures.read(asset("sunset.jpg")))
    }

    /// `rm` removes a half-created segment of ours (it opens as missing, yet it is there).
    @Test func removeTakesAHalfCreatedSegment() throws {
        let s = Scratch("half-rm")
        let fd = open("/dev/shm/" + s.segment, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
        try #require(fd >= 0)
        close(fd)
        let r = Spawn.run(CLI.writer, ["rm", "--segment", s.segment])
        #expect(r.status == 0, "\(r.err)")
        #expect(access("/dev/shm/" + s.segment, F_OK) != 0)
    }
}
