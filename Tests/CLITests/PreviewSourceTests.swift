import Foundation
import Glibc
import Testing
import TestSupport

/// `preview` of what arrived (a segment, standard input), sized to the terminal, with a
/// colour depth alone meaning blocks; `get --out DIR` saving under the label's name.
@Suite struct PreviewSourceTests {
    static func preview(_ arguments: [String], stdin: String? = nil) -> Spawn.Result {
        guard let stdin else { return Spawn.run(CLI.reader, ["preview"] + arguments) }
        let child = Spawn.start(CLI.reader, ["preview"] + arguments, stdin: stdin)
        return child.finish()
    }

    /// The latest blob of a segment previews exactly as the file that was put.
    @Test func aSegmentsLatestBlobPreviewsLikeTheFile() throws {
        let s = Scratch("pv")
        let png = asset("sunset.png")
        #expect(s.put(png).status == 0)
        let fromFile = Self.preview([png, "--size", "30x8"])
        let fromSegment = Self.preview(["--segment", s.segment, "--size", "30x8"])
        #expect(fromFile.status == 0 && fromSegment.status == 0, "\(fromSegment.err)")
        #expect(!fromFile.out.isEmpty && fromSegment.out == fromFile.out)
        let both = Self.preview([png, "--segment", s.segment])
        #expect(both.status == 64 && both.err.contains("not both"), "\(both.err)")
    }

    /// `-` previews standard input (a pipe or a redirected file).
    @Test func standardInputPreviewsLikeTheFile() throws {
        let jpg = asset("sunset.jpg")
        let fromFile = Self.preview([jpg, "--size", "30x8", "--info"])
        let fromStdin = Self.preview(["-", "--size", "30x8", "--info"], stdin: jpg)
        #expect(fromStdin.status == 0, "\(fromStdin.err)")
        #expect(fromStdin.out == fromFile.out && fromFile.out.hasPrefix("format: JPEG\n"), "\(fromStdin.out)")
    }

    /// `--color 8` alone draws coloured half blocks; with `--mode ascii` it is refused.
    @Test func aColourDepthAloneMeansBlocks() throws {
        let r = Self.preview([asset("sunset.png"), "--size", "20x5", "--color", "8"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("▀") && r.out.contains("\u{1B}[3"), "\(r.out)")
        let refused = Self.preview([asset("sunset.png"), "--mode", "ascii", "--color", "8"])
        #expect(refused.status == 64 && refused.err.contains("needs blocks"), "\(refused.err)")
    }

    /// Printing to a terminal, the preview fills the terminal (a 120x40 pane) instead of
    /// 80x24.
    @Test(.timeLimit(.minutes(1)), .enabled(if: Tmux.available))
    func printingToATerminalFillsIt() throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.newShell("p", width: 120, height: 40, directory: "/tmp", environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        tmux.send("p", ["'\(CLI.reader)' preview '\(asset("sunset.png"))' --mode ascii; echo PREVIEW-DONE", "Enter"])
        let (done, screen) = tmux.waitFor("p") { $0.contains("PREVIEW-DONE\n") || $0.hasSuffix("PREVIEW-DONE") }
        #expect(done, "\(screen)")
        let widest = screen.split(separator: "\n").filter { !$0.contains("PREVIEW") }.map { $0.trimmingCharacters(in: .whitespaces).count }.max() ?? 0
        #expect(widest > 80 && widest <= 120, "widest preview line \(widest): \(screen)")
    }

    /// `get --out DIR` saves under the label's file name; raw bytes and a label without a
    /// safe name are refused with what to give instead, and nothing is written.
    @Test func getIntoAFolderUsesTheLabelsFileName() throws {
        let s = Scratch("pv")
        let png = asset("sunset.png")
        #expect(s.put(png).status == 0)
        let folder = s.path("saved")
        #expect(Spawn.run("/bin/mkdir", [folder]).status == 0)
        let get = s.get(["--out", folder])
        #expect(get.status == 0, "\(get.err)")
        #expect(Fixtures.read(folder + "/sunset.png") == Fixtures.read(png))
        #expect(get.err.hasPrefix("saved: sunset.png in "), "\(get.err)")
        for label in ["/x/..", "/x/bad\u{1B}[2Jname"] {
            let (p, _) = Languages.probe(["publish", s.segment, png, label])
            try #require(p.status == 0, "\(p.out) \(p.err)")
            let refused = s.get(["--out", folder])
            #expect(refused.status == 64 && refused.err.contains("gives no safe file name") && !refused.err.contains("\u{1B}"), "\(refused.err)")
        }
        let listing = try FileManager.default.contentsOfDirectory(atPath: folder)
        #expect(listing == ["sunset.png"], "\(listing)")
    }
}

/// `compare A B` with `--threshold`, `--diff` and `--json`.
@Suite struct CompareFilesTests {
    static let width = 40, height = 30
    static func pic(_ x: Int, _ y: Int) -> (UInt8, UInt8, UInt8) { (UInt8(x * 6), UInt8(y * 8), UInt8((x * y) % 256)) }

    @Test func twoFilesAreComparedWithAThresholdAndADifferencePicture() throws {
        let s = Scratch("cmp")
        Fixtures.write(PNGWriter.rgb(width: Self.width, height: Self.height, Self.pic), to: s.path("a.png"))
        Fixtures.write(PNGWriter.rgb(width: Self.width, height: Self.height) { x, y in
            var p = Self.pic(x, y)
            if x < 4 && y < 3 { p.1 = p.1 + 2 }  // 12 pixels, 2/255 greener
            return p
        }, to: s.path("b.png"))
        let exact = Spawn.run(CLI.reader, ["compare", s.path("a.png"), s.path("b.png"), "--diff", s.path("d.png")])
        #expect(exact.status == 1, "\(exact.err)")
        #expect(exact.out.contains("verdict:  different pixels: 12 of 1200 differ, largest channel difference 2/255"), "\(exact.out)")
        #expect(exact.out.hasPrefix("first:  \(s.path("a.png")) (PNG 40x30"), "\(exact.out)")
        let diff = try #require(Fixtures.read(s.path("d.png")))
        #expect(diff.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        // Decoded by ImageMagick: the coloured (not grey) pixels are exactly the 12 changed.
        #expect(Spawn.run("/usr/bin/convert", [s.path("d.png"), "-depth", "8", "rgb:" + s.path("d.rgb")]).status == 0)
        let rgb = try #require(Fixtures.read(s.path("d.rgb")))
        try #require(rgb.count == Self.width * Self.height * 3)
        var coloured: [Int] = []
        for p in 0 ..< Self.width * Self.height where !(rgb[p * 3] == rgb[p * 3 + 1] && rgb[p * 3 + 1] == rgb[p * 3 + 2]) {
            coloured.append(p)
        }
        let changed = (0 ..< 3).flatMap { y in (0 ..< 4).map { x in y * Self.width + x } }
        #expect(coloured == changed, "coloured pixels \(coloured)")
        let tolerant = Spawn.run(CLI.reader, ["compare", s.path("a.png"), s.path("b.png"), "--threshold", "2", "--json"])
        #expect(tolerant.status == 0, "\(tolerant.err)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(tolerant.stdout)) as? [String: Any])
        #expect(json["verdict"] as? String == "within-threshold" && json["within_threshold"] as? Int == 12
                && json["differing_pixels"] as? Int == 0 && json["threshold"] as? Int == 2, "\(tolerant.out)")
        let bad = Spawn.run(CLI.reader, ["compare", s.path("a.png"), s.path("b.png"), "--threshold", "256"])
        #expect(bad.status == 64 && bad.err.contains("--threshold must be 0 to 255"), "\(bad.err)")
        let three = Spawn.run(CLI.reader, ["compare", "x", "y", "z"])
        #expect(three.status == 64 && three.err.contains("at most two files"), "\(three.err)")
    }

    /// `--show` draws first | second | difference after the verdict, in the preview's modes:
    /// ASCII (the change located by `#`), coloured blocks, sixel (three images).
    @Test func showDrawsBothAndTheDifference() throws {
        let s = Scratch("cms")
        Fixtures.write(PNGWriter.rgb(width: 80, height: 40) { _, _ in (40, 40, 40) }, to: s.path("a.png"))
        Fixtures.write(PNGWriter.rgb(width: 80, height: 40) { x, _ in x >= 60 ? (240, 40, 40) : (40, 40, 40) }, to: s.path("b.png"))
        let compare = ["compare", s.path("a.png"), s.path("b.png"), "--show", "--size", "100x14"]
        let ascii = Spawn.run(CLI.reader, compare + ["--graphics", "ascii"])
        #expect(ascii.status == 1, "\(ascii.err)")
        let lines = ascii.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let titles = try #require(lines.first { $0.contains("first") && $0.contains("second") && $0.contains("difference: 800 of 3200 pixels") },
                                  "\(ascii.out)")
        #expect(titles.contains("PNG 80x40"), "\(titles)")
        // The difference pane: dots, then '#' in its right quarter (x >= 60 of 80).
        let marked = lines.filter { $0.contains("#") && $0.contains(".") }
        #expect(!marked.isEmpty, "\(ascii.out)")
        for line in marked {
            let plain = line.replacing(/\u{1b}\[[0-9;]*m/, with: "")
            #expect(plain.lastIndex(of: ".")! < plain.firstIndex(of: "#")!, "\(plain)")
        }
        #expect(ascii.out.contains("# by 16/255 or more"), "legend: \(ascii.out)")
        let blocks = Spawn.run(CLI.reader, compare + ["--graphics", "blocks"])
        #expect(blocks.status == 1 && blocks.out.contains("\u{2580}") && blocks.out.contains("\u{1b}[0;38;5;"), "\(blocks.out)")
        #expect(blocks.out.contains("yellow (1/255) to magenta (255/255)"), "legend: \(blocks.out)")
        let sixel = Spawn.run(CLI.reader, compare + ["--graphics", "sixel"])
        #expect(sixel.status == 1, "\(sixel.err)")
        #expect(sixel.out.ranges(of: "\u{1b}P").count == 3, "three sixel images expected")
        let both = Spawn.run(CLI.reader, compare + ["--json"])
        #expect(both.status == 64 && both.err.contains("use one"), "\(both.err)")
    }
}
