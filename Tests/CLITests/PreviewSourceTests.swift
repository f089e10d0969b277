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
