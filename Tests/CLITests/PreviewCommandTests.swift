import Testing
import TestSupport

@Suite struct PreviewCommandTests {
    @Test func asciiPreviewWithInfo() throws {
        let r = Spawn.run(CLI.reader, ["preview", asset("sunset.png"), "--size", "40x12", "--info"])
        #expect(r.status == 0, "\(r.err)")
        let lines = r.out.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
        #expect(Array(lines.prefix(5)) == ["format: PNG", "dimensions: 160x120", "bit depth: 8", "color type: RGB",
                                           "output: ascii (stdout is not a terminal)"])
        let art = lines.dropFirst(5)
        #expect(art.count == 12 && art.allSatisfy { $0.count == 32 })  // 160x120 at font ratio 2 in 40x12
        #expect(r.stdout.allSatisfy { $0 == 0x0A || ($0 >= 0x20 && $0 < 0x7F) })  // 7-bit, no escapes
    }

    @Test func blocksPreviewUsesColours() throws {
        let r = Spawn.run(CLI.reader, ["preview", asset("sunset.jpg"), "--size", "30x10", "--mode", "blocks", "--color", "256"])
        #expect(r.status == 0)
        #expect(r.out.contains("\u{1b}[38;5;") && r.out.contains("\u{2580}") && r.out.contains("\u{1b}[0m"))
        let tc = Spawn.run(CLI.reader, ["preview", asset("sunset.jpg"), "--size", "30x10", "--mode", "blocks"])
        #expect(tc.out.contains("\u{1b}[38;2;"))
    }

    @Test func errorsHaveDistinctCodes() {
        let s = Scratch()
        Fixtures.write(Array("just text".utf8), to: s.path("t.txt"))
        var broken = Fixtures.read(asset("sunset.png"))!
        broken.removeLast(100)
        Fixtures.write(broken, to: s.path("cut.png"))
        let cases: [([String], Int32, String)] = [
            (["preview", s.path("t.txt")], 69, "Error: '\(s.path("t.txt"))' is text (9 bytes): no preview"),
            (["preview", s.path("cut.png")], 65, "Error: invalid PNG data: "),
            (["preview", s.path("missing.png")], 74, "Error: cannot read"),
            (["preview", asset("sunset.png"), "--size", "0x3"], 64, "Error: --size must look like 80x24"),
            (["preview", asset("sunset.png"), "--mode", "sixel"], 64, "Error: --mode must be ascii or blocks"),
            (["preview", asset("sunset.png"), "--max-pixels", "100"], 65, "Error: image of 160x120 (19200 pixels) exceeds the limit of 100 pixels"),
        ]
        for (argv, status, prefix) in cases {
            let r = Spawn.run(CLI.reader, argv)
            #expect(r.status == status, "\(argv): \(r.err)")
            #expect(r.err.hasPrefix(prefix), "\(argv): \(r.err)")
            #expect(r.err.filter { $0 == "\n" }.count == 1)
        }
    }
}
