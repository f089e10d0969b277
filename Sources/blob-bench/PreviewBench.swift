import ArgumentParser
import CPNG
import CTurboJPEG
import Foundation
import Glibc

/// `blob-bench preview`: our preview against jp2a, chafa and a bare libpng decode (the
/// floor), each as a separate process on the same generated 4000x3000 photo-like PNG; then
/// the same pixels as a progressive JPEG, previewed against TurboJPEG's full decode.
struct PreviewBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview", abstract: "Time blob-reader preview against jp2a, chafa and a bare libpng decode.")

    @Option(help: "Runs per tool and size (the median is reported).") var runs = 7
    @Option(help: "blob-reader executable to measure.") var reader = ""
    @Option(help: "Keep the generated PNG at this path (and reuse it if present).") var photo: String?
    @Flag(help: "Run only the progressive JPEG case.") var jpegOnly = false

    func run() throws {
        let dir = "/tmp/blob-bench-preview-\(getpid())"
        mkdir(dir, 0o700)
        defer { _ = try? FileManager.default.removeItem(atPath: dir) }
        let readerPath = reader.isEmpty ? (selfPath() as NSString).deletingLastPathComponent + "/blob-reader" : reader
        if jpegOnly { return try progressiveJPEG(dir: dir, readerPath: readerPath) }
        let png = photo ?? dir + "/photo.png"
        var st = stat()
        let fileSize = stat(png, &st) == 0 ? Int(st.st_size) : try makePhotoPNG(png, width: 4000, height: 3000)
        print("blob-bench preview: 4000x3000 RGB PNG, \(fileSize) bytes, \(runs) runs each (median wall time, peak RSS)")
        let floor = measure([selfPath(), "decode-floor", png])
        print(row("bare libpng decode (floor)", floor))
        for (w, h) in [(80, 24), (200, 60)] {
            let size = "\(w)x\(h)"
            let ours = measure([readerPath, "preview", png, "--size", size])
            let jp2a = measure(["/usr/bin/jp2a", "--size=\(size)", png])
            let chafa = measure(["/usr/bin/chafa", "--symbols", "ascii", "--colors", "none", "--size", size, png])
            print("  \(size):")
            for (name, m) in [("blob-reader preview", ours), ("jp2a --size=\(size)", jp2a),
                              ("chafa --symbols ascii --colors none", chafa)] {
                print("  " + row(name, m))
            }
            print(String(format: "    ours/jp2a time %.2f (target <= 1.0), ours/chafa time %.2f (target <= 0.5), ours/floor %.2f",
                         ours.ms / jp2a.ms, ours.ms / chafa.ms, ours.ms / floor.ms))
            let budget = jp2a.mib + Double(fileSize) / 1_048_576 + 8
            print(String(format: "    peak memory %.1f MiB vs budget %.1f MiB (jp2a + PNG size + 8 MiB): %@",
                         ours.mib, budget, (ours.mib <= budget ? "within" : "OVER") as NSString))
        }
        // Real pixels: sixel at 80x24 cells of 10x20 pixels (chafa's default cell), libsixel
        // against chafa's own encoder.
        let sixel = measure([readerPath, "preview", png, "--size", "80x24", "--graphics", "sixel", "--cell-size", "10x20"])
        let chafaSixel = measure(["/usr/bin/chafa", "-f", "sixels", "--size", "80x24", png])
        print("  sixel, 80x24:")
        print("  " + row("blob-reader preview --graphics sixel", sixel))
        print("  " + row("chafa -f sixels --size 80x24", chafaSixel))
        print(String(format: "    ours/chafa time %.2f (target <= 0.6), peak memory %.2f (target <= 0.5)",
                     sixel.ms / chafaSixel.ms, sixel.mib / chafaSixel.mib))
        // 8 colours: mean CIE76 colour error of every half cell against the box-filtered image.
        let bytes = try Array(contentsOf: png)
        let oursText = output([readerPath, "preview", png, "--size", "80x24", "--mode", "blocks", "--color", "8"])
        let chafaText = output(["/usr/bin/chafa", "-f", "symbols", "--colors", "8", "--symbols", "half", "--size", "80x24", png])
        let oursError = try ColorError.meanDeltaE(ansi: oursText, image: bytes)
        let chafaError = try ColorError.meanDeltaE(ansi: chafaText, image: bytes)
        print("  8 colours, 80x24 (mean Delta E 1976 of each cell's colour against the image box-filtered to the grid):")
        print(String(format: "    blob-reader preview --mode blocks --color 8    %6.2f  (%dx%d cells)", oursError.mean, oursError.columns, oursError.rows))
        print(String(format: "    chafa --colors 8 --symbols half                %6.2f  (%dx%d cells)", chafaError.mean, chafaError.columns, chafaError.rows))
        print(String(format: "    ours/chafa %.2f (target < 1.0)", oursError.mean / chafaError.mean))
        for dither in ["none", "ordered"] {
            let text = output([readerPath, "preview", png, "--size", "80x24", "--mode", "blocks", "--color", "8", "--dither", dither])
            print(String(format: "    (--dither %@: %.2f)", dither as NSString, try ColorError.meanDeltaE(ansi: text, image: bytes).mean))
        }
        try progressiveJPEG(dir: dir, readerPath: readerPath)
    }

    /// The photo's pixels as a progressive JPEG (TurboJPEG, quality 90, 4:2:0, libjpeg's
    /// script of 10 scans): an 80x24 preview, which reads only the scans it needs, against
    /// TurboJPEG's decode of the whole image, each a process of its own.
    func progressiveJPEG(dir: String, readerPath: String) throws {
        let path = dir + "/photo-progressive.jpg"
        let bytes = try makePhotoJPEG(path, width: 4000, height: 3000)
        let scans = bytes.indices.dropLast().filter { bytes[$0] == 0xFF && bytes[$0 + 1] == 0xDA }.count
        print("  progressive JPEG, 4000x3000, quality 90, \(bytes.count) bytes, \(scans) scans (\(runs) runs each):")
        let ours = measure([readerPath, "preview", path, "--size", "80x24"])
        let full = measure([selfPath(), "decode-jpeg-full", path])
        print("  " + row("blob-reader preview --size 80x24", ours))
        print("  " + row("TurboJPEG full decode (tjDecompress2)", full))
        let ratio = ours.ms / full.ms
        print(String(format: "    ratio %.2f (target <= 0.5) %@", ratio, (ratio <= 0.5 ? "met" : "NOT met") as NSString))
    }

    /// A tool's standard output.
    func output(_ argv: [String]) -> String { processOutput(argv) }

    func measure(_ argv: [String]) -> Measurement { measureProcess(argv, runs: runs) }

    func makePhotoPNG(_ path: String, width: Int, height: Int) throws -> Int { try Photo.png(path, width: width, height: height) }

    func makePhotoJPEG(_ path: String, width: Int, height: Int) throws -> [UInt8] { try Photo.jpeg(path, width: width, height: height) }
}

/// The floor: decode a PNG to RGB with libpng's simplified API and nothing else.
struct DecodeFloor: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode-floor", shouldDisplay: false)
    @Argument var file: String

    func run() throws {
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        guard png_image_begin_read_from_file(&image, file) != 0 else { throw ExitCode(65) }
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR)
        let size = Int(image.width) * Int(image.height) * 3
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 16)
        defer { buffer.deallocate() }
        guard png_image_finish_read(&image, nil, buffer, 0, nil) != 0 else { throw ExitCode(65) }
    }
}

/// The JPEG reference: decode a whole JPEG to RGB with TurboJPEG's tjDecompress2 at full
/// size (accurate DCT, as our decoder) and nothing else.
struct DecodeJPEGFull: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "decode-jpeg-full", shouldDisplay: false)
    @Argument var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw ExitCode(66) }
        let bytes = [UInt8](data)
        let tj = tjInitDecompress()
        defer { tjDestroy(tj) }
        var w: Int32 = 0, h: Int32 = 0, sub: Int32 = 0, cs: Int32 = 0
        guard tjDecompressHeader3(tj, bytes, UInt(bytes.count), &w, &h, &sub, &cs) == 0 else { throw ExitCode(65) }
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: Int(w) * Int(h) * 3)
        defer { buffer.deallocate() }
        guard tjDecompress2(tj, bytes, UInt(bytes.count), buffer, w, 0, h, Int32(TJPF_RGB.rawValue),
                            Int32(TJFLAG_ACCURATEDCT)) == 0 else { throw ExitCode(65) }
    }
}
