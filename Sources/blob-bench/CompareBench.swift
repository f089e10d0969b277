import ArgumentParser
import Foundation
import Glibc

/// `blob-bench compare`: `blob-reader compare A B --diff D` on two generated 4000x3000
/// PNGs that differ in a known region, against ImageMagick's `compare -metric AE -fuzz 0`
/// writing its difference image, and against pixelmatch (PyPI) on the same pair; each a
/// process of its own, every figure from this run. Also checks that all three count the
/// same differing pixels.
struct CompareBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare", abstract: "Time compare --diff against ImageMagick's compare and pixelmatch.")

    @Option(help: "Runs per tool (the median is reported).") var runs = 5
    @Option(help: "blob-reader executable to measure.") var reader = ""
    @Option(help: "A Python with pixelmatch and Pillow (scripts/bench-compare.sh makes one); none: skip pixelmatch.")
    var python = ""
    @Option(help: "Runs of pixelmatch (pure Python: slow).") var pixelmatchRuns = 1

    /// The changed region: a 600x400 rectangle, 240000 pixels.
    static let region = (x: 1700, y: 1300, width: 600, height: 400)

    func run() throws {
        let dir = "/tmp/blob-bench-compare-\(getpid())"
        mkdir(dir, 0o700)
        defer { _ = try? FileManager.default.removeItem(atPath: dir) }
        let readerPath = reader.isEmpty ? selfDirectory() + "/blob-reader" : reader
        let a = dir + "/a.png", b = dir + "/b.png"
        let size = try Photo.png(a, width: 4000, height: 3000)
        _ = try Photo.png(b, width: 4000, height: 3000, changed: Self.region)
        let expected = Self.region.width * Self.region.height
        print("blob-bench compare: two 4000x3000 RGB PNGs (\(size) bytes), \(expected) pixels differ (red +9 in a 600x400 region); "
              + "\(runs) runs each (median wall time, peak RSS)")
        let ours = measureProcess([readerPath, "compare", a, b, "--diff", dir + "/ours.png"], runs: runs, allowed: [1])
        let magick = measureProcess(["/usr/bin/compare", "-metric", "AE", "-fuzz", "0", a, b, dir + "/magick.png"], runs: runs,
                                    allowed: [1])
        print(row("blob-reader compare --diff", ours))
        print(row("ImageMagick compare -metric AE -fuzz 0", magick))
        print(String(format: "  ours/ImageMagick: time %.2f (target <= 0.5) %@, peak memory %.2f (target <= 0.5) %@",
                     ours.ms / magick.ms, (ours.ms / magick.ms <= 0.5 ? "met" : "NOT met") as NSString,
                     ours.mib / magick.mib, (ours.mib / magick.mib <= 0.5 ? "met" : "NOT met") as NSString))
        // The counts, from each tool's own output.
        let ourJSON = processOutput([readerPath, "compare", a, b, "--json"])
        let ourCount = ourJSON.range(of: "\"differing_pixels\":")
            .flatMap { Int(ourJSON[$0.upperBound...].prefix { $0.isNumber }) } ?? -1
        let ae = Int(processOutput(["/usr/bin/compare", "-metric", "AE", "-fuzz", "0", a, b, "null:"], stderr: true)
            .trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
        var counts = "  differing pixels: ours \(ourCount), ImageMagick AE \(ae)"
        if python != "none" && !python.isEmpty {
            let script = dir + "/run_pixelmatch.py"  // not pixelmatch.py: it would shadow the package
            try Self.pixelmatchScript.write(toFile: script, atomically: true, encoding: .utf8)
            let pm = measureProcess([python, script, a, b, dir + "/pixelmatch.png"], runs: pixelmatchRuns, output: dir + "/pm.out")
            print(row("pixelmatch (PyPI, threshold 0)", pm))
            print(String(format: "  ours/pixelmatch: time %.3f, peak memory %.2f", ours.ms / pm.ms, ours.mib / pm.mib))
            let count = (try? String(contentsOfFile: dir + "/pm.out", encoding: .utf8)) ?? "?"
            counts += ", pixelmatch \(count.trimmingCharacters(in: .whitespacesAndNewlines))"
        } else {
            print("  pixelmatch: skipped (--python PATH; scripts/bench-compare.sh installs it in .venv-bench-compare)")
        }
        print(counts + " (expected \(expected))")
    }

    /// pixelmatch on two PNGs, writing its diff PNG; prints the differing-pixel count.
    /// `includeAA=True`: anti-aliased pixels count too (as in ours and ImageMagick's AE).
    static let pixelmatchScript = """
        import sys
        from PIL import Image
        from pixelmatch.contrib.PIL import pixelmatch
        a = Image.open(sys.argv[1]).convert("RGBA")
        b = Image.open(sys.argv[2]).convert("RGBA")
        diff = Image.new("RGBA", a.size)
        print(pixelmatch(a, b, diff, threshold=0, includeAA=True))
        diff.save(sys.argv[3])
        """
}
