import Glibc
import Testing
import TestSupport

/// The article's own C# programs (ported to console verbs, `Tests/Interop/Article`),
/// compiled with mcs and run under Mono, exchanging images and TestData records with
/// ours through `--layout article`, both ways. Mono and mcs come from the README's
/// set-up step (scripts/ensure-deps.sh); their absence fails this suite.
@Suite(.serialized) struct CSharpInteropTests {
    static let writer = Fixtures.executable("blob-writer")
    static let reader = Fixtures.executable("blob-reader")
    static let sources = Fixtures.packageRoot + "/Tests/Interop/Article"
    static let assets = Fixtures.packageRoot + "/Assets"

    /// A scratch folder (HOME for Mono too), the two programs built in it, and a segment
    /// name whose /dev/shm file both sides map.
    final class Article {
        let dir = Fixtures.makeTempDirectory()
        let segment = Fixtures.uniqueSegmentName("cs")
        var mapFile: String { "/dev/shm/" + segment }
        /// Mono keeps its shared area and config out of /dev/shm and the real home.
        var environment: [String: String] { ["MONO_DISABLE_SHARED_AREA": "1", "HOME": dir, "XDG_CONFIG_HOME": dir] }

        init() throws {
            for program in ["Writer", "Reader"] {
                let files = [program, "ShareMemoryHelper", "ImageData", "TestData"].map { CSharpInteropTests.sources + "/\($0).cs" }
                let mcs = Spawn.run("/usr/bin/mcs", ["-out:\(dir)/\(program).exe", "-r:System.Drawing.dll", "-r:System.Core.dll"] + files,
                                    environment: environment, seconds: 120)
                try #require(mcs.status == 0, "mcs \(program): \(mcs.out)\(mcs.err) (the README's set-up installs mono-mcs)")
            }
        }

        deinit {
            Fixtures.removeSegment(segment)
            Fixtures.removeTree(dir)
        }

        func mono(_ program: String, _ args: [String]) -> Spawn.Result {
            Spawn.run("/usr/bin/mono", ["\(dir)/\(program).exe", mapFile] + args, environment: environment, seconds: 120)
        }

        func ours(_ tool: String, _ args: [String]) -> Spawn.Result {
            Spawn.run(tool, args + ["--segment", segment, "--layout", "article"])
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func theArticlesWriterToOurReader() throws {
        let a = try Article()
        for (name, summary) in [("sunset.png", "PNG 160x120"), ("checker-alpha.png", "PNG 64x64, 8-bit RGBA")] {
            let image = Self.assets + "/" + name
            let wrote = a.mono("Writer", ["image", image])
            try #require(wrote.status == 0, "C# writer: \(wrote.out)\(wrote.err)")
            // The frame at offset 0 of the exact 10 MB file, as the article lays it out.
            let got = a.ours(Self.reader, ["get", "--out", a.dir + "/got"])
            #expect(got.status == 0, "\(got.err)")
            #expect(got.err.hasPrefix("path: \(image)\n"))
            let original = try #require(Fixtures.read(image))
            let received = try #require(Fixtures.read(a.dir + "/got"))
            #expect(received != original)  // GDI+ re-encodes: never the same bytes
            // By pixels it is the same picture, and `compare` says so.
            let compare = a.ours(Self.reader, ["compare"])
            #expect(compare.status == 0, "\(compare.out)\(compare.err)")
            #expect(compare.out.contains("(\(summary)"), "\(compare.out)")
            #expect(compare.out.contains("verdict:  same pixels, different bytes (re-encoded: \(received.count) B received, \(original.count) B on disk)"),
                    "\(compare.out)")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func ourWriterToTheArticlesReader() throws {
        let a = try Article()
        for (name, size) in [("sunset.png", "160x120"), ("sunset.jpg", "200x150")] {
            let image = Self.assets + "/" + name
            let put = a.ours(Self.writer, ["put", image])
            #expect(put.status == 0, "\(put.err)")
            let read = a.mono("Reader", ["image"])
            #expect(read.status == 0, "C# reader: \(read.err)")
            #expect(read.out == "path: \(image)\nsize: \(size)\n")
        }
    }

    @Test(.timeLimit(.minutes(3)))
    func testDataBothWays() throws {
        let a = try Article()
        let wrote = a.mono("Writer", ["struct"])
        #expect(wrote.out == "Id=100,Age=20,Scores=60,61,62,63,64,65,66,67,68,69\n", "\(wrote.err)")
        #expect(a.ours(Self.reader, ["get-struct"]).out == "Id=100,Age=20,Scores=60,61,62,63,64,65,66,67,68,69\n")
        let put = a.ours(Self.writer, ["put-struct", "--id", "42", "--age", "33", "--scores", "1,2,3,4,5,6,7,8,9,-10"])
        #expect(put.status == 0, "\(put.err)")
        #expect(a.mono("Reader", ["struct"]).out == "Id=42,Age=33,Scores=1,2,3,4,5,6,7,8,9,-10\n")
    }

    /// The reader app on the article's layout: the C# writer's image, its dimensions, and
    /// the pixel verdict; then a record, picked up by watch mode.
    @Test(.timeLimit(.minutes(3)), .enabled(if: Tmux.available))
    func theReaderAppShowsTheArticlesImage() throws {
        let a = try Article()
        let image = Self.assets + "/sunset.png"
        try #require(a.mono("Writer", ["image", image]).status == 0)
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.newShell("r", width: 110, height: 40, directory: a.dir, environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        tmux.send("r", ["'\(Self.reader)' --segment \(a.segment) --layout article --watch", "Enter"])
        let (shown, screen) = tmux.waitFor("r") {
            $0.contains("PNG  160 x 120, 8-bit RGB") && $0.contains("same pixels, different bytes (re-encoded:")
        }
        #expect(shown, "reader screen: \(screen)")
        #expect(Tmux.screen(screen, shows: "path:     ", path: image), "\(screen)")
        #expect(screen.contains("article layout: no sequence"))
        // Watch mode notices the article's writer storing a record (no futex: polling).
        try #require(a.mono("Writer", ["struct"]).status == 0)
        let (record, recordScreen) = tmux.waitFor("r") { $0.contains("Id=100,Age=20,Scores=60,61,62,63,64,65,66,67,68,69") }
        #expect(record, "reader screen: \(recordScreen)")
        tmux.send("r", ["q"])
        let (gone, _) = tmux.waitFor("r") { !$0.contains("blob-reader  ") }
        #expect(gone)
    }

    /// The writer app on the article's layout: pick an image, Enter, and the article's
    /// reader finds it.
    @Test(.timeLimit(.minutes(3)), .enabled(if: Tmux.available))
    func theWriterAppPublishesForTheArticlesReader() throws {
        let a = try Article()
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.newShell("w", width: 110, height: 30, directory: Self.assets, environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        tmux.send("w", ["'\(Self.writer)' . --segment \(a.segment) --layout article", "Enter"])
        let (up, upScreen) = tmux.waitFor("w") { $0.contains("sunset.png") }
        #expect(up, "writer screen: \(upScreen)")
        tmux.send("w", ["/"])
        tmux.send("w", ["sunset.jpg"], literal: true)
        tmux.send("w", ["Enter"])
        let (published, screen) = tmux.waitFor("w") { $0.contains("Published sunset.jpg: at offset 0 (article layout), 3165 bytes") }
        #expect(published, "writer screen: \(screen)")
        #expect(a.mono("Reader", ["image"]).out == "path: \(Self.assets)/sunset.jpg\nsize: 200x150\n")
        tmux.send("w", ["q"])
        let (gone, _) = tmux.waitFor("w") { !$0.contains("blob-writer  ") }
        #expect(gone)
    }
}
