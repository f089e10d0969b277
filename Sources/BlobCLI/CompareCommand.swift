import ArgumentParser
import BlobApps
import BlobTransfer
import ImagePreview
import SafeText

/// `blob-reader compare [FILE]` / `compare A B`: by pixels, the latest blob against a
/// file, or two files.
public struct CompareCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare the latest blob with a file by pixels (default: the file its path label names), or two files (compare A B).",
        discussion: """
            Verdicts: identical bytes; same pixels, different bytes (a re-encode); same within the threshold; \
            different pixels (how many, the largest channel difference, PSNR); different dimensions. Pixels \
            are compared at full depth (16-bit, alpha included). --threshold T lets every channel of a pixel \
            differ by up to T/255 before the pixel counts as different (what ImageMagick's -fuzz and \
            pixelmatch's threshold do); such pixels are counted apart. --diff PATH writes the difference as a \
            PNG: unchanged pixels a faded grey, pixels within the threshold pale blue, differing ones from \
            yellow (1/255) to magenta (255/255). Exit status 0 when the pictures are the same (identical \
            bytes, same pixels, or within the threshold), 1 when they differ, as with cmp and diff.
            """)

    @Argument(help: ArgumentHelp("One file: compare the latest blob with it (default: the blob's path label, when absolute). Two files: compare them.",
                                 valueName: "FILE"))
    var files: [String] = []
    @OptionGroup var segment: SegmentOptions
    @Option(help: ArgumentHelp("Per-channel tolerance, 0-255 on the 8-bit scale (default: 0, exact).", valueName: "T"))
    var threshold = 0
    @Option(help: ArgumentHelp("Write the difference picture here, as a PNG.", valueName: "PATH")) var diff: String?
    @Flag(help: "Print JSON.") var json = false

    public init() {}

    public func validate() throws {
        if files.count > 2 { throw ValidationError("compare takes at most two files (compare A B)") }
        if files.count == 2 && (segment.segment != nil || segment.file != nil) {
            throw ValidationError("compare A B compares two files; --segment and --file name a blob to compare instead")
        }
        if !(0 ... 255).contains(threshold) { throw ValidationError("--threshold must be 0 to 255") }
        if diff == "-" { throw ValidationError("--diff needs a file name (the picture is a PNG, not for a terminal)") }
    }

    public func run() throws {
        let picture = diff != nil
        var result: PixelComparison
        let first: (name: String, title: String), second: String
        if files.count == 2 {
            let a = try PictureCheck.readFile(files[0]).get(), b = try PictureCheck.readFile(files[1]).get()
            result = try PictureCheck.compare(a, b, sides: ("the file '\(TerminalText.escape(files[0]))'", "the file '\(TerminalText.escape(files[1]))'"),
                                              threshold: threshold, differencePicture: picture).get()
            result.names = ("first", "second")
            (first, second) = ((files[0], "first: "), files[1])
        } else {
            let received = try Receiver.receive(from: try segment.backing(), format: segment.layout)
            let path = try PictureCheck.target(given: files.first, label: received.path).get()
            result = try PictureCheck.compare(received.content, with: path, threshold: threshold, differencePicture: picture).get()
            (first, second) = ((received.path, "received:"), path)
        }
        if let diff {
            if let pixels = result.differencePicture, let info = result.received {
                try Files.writeAtomically(try PNGEncoder.rgba8(pixels, width: info.width, height: info.height), to: diff)
            } else {
                Output.info("Note: no difference picture: \(result.verdict == .differentDimensions ? "the dimensions differ" : "not images")")
            }
        }
        if json {
            Output.line(Self.json(result, path: second, label: first.name, diff: result.differencePicture != nil ? diff : nil))
        } else {
            let secondTitle = files.count == 2 ? "second:" : "on disk: "
            Output.line("\(first.title) \(TerminalText.escape(first.name)) (\(Self.describe(result.received, result.receivedBytes)))")
            Output.line("\(secondTitle) \(TerminalText.escape(second)) (\(Self.describe(result.disk, result.diskBytes)))")
            Output.line("verdict:  \(result.sentence)")
            if let ssim = result.ssim { Output.line("ssim:     \(PixelComparisonText.json(ssim, decimals: 4)) (structural similarity of luma, 8x8 blocks; 1 is the same)") }
            if result.differencePicture != nil, let diff { Output.line("diff:     \(TerminalText.escape(diff))") }
        }
        if !result.isSamePicture { Output.exit(ExitStatus.differ) }
    }

    static func describe(_ info: ImageInfo?, _ bytes: Int) -> String {
        (info.map { $0.summary + ", " } ?? "") + "\(bytes) B"
    }

    static func json(_ r: PixelComparison, path: String, label: String, diff: String?) -> String {
        func image(_ info: ImageInfo?, _ bytes: Int) -> String {
            guard let info else { return "{\"bytes\":\(bytes)}" }
            return "{\"format\":\(JSONText.quoted(info.format.rawValue)),\"width\":\(info.width),\"height\":\(info.height),"
                + "\"bit_depth\":\(info.bitDepth),\"color_type\":\(JSONText.quoted(info.colorType)),\"bytes\":\(bytes)}"
        }
        let psnr = r.psnr.map { PixelComparisonText.json($0) } ?? "null"
        return "{\"verdict\":\(JSONText.quoted(r.verdict.rawValue)),\"same_picture\":\(r.isSamePicture),"
            + "\"label\":\(JSONText.quoted(label)),\"file\":\(JSONText.quoted(path)),"
            + "\"received\":\(image(r.received, r.receivedBytes)),\"disk\":\(image(r.disk, r.diskBytes)),"
            + "\"pixels\":\(r.pixels),\"differing_pixels\":\(r.differingPixels),"
            + "\"max_channel_difference\":\(r.maxDifference),\"depth_max\":\(r.depthMaximum),\"psnr_db\":\(psnr),"
            + "\"threshold\":\(r.threshold),\"within_threshold\":\(r.withinThreshold),"
            + "\"diff\":\(diff.map(JSONText.quoted) ?? "null"),"
            + "\"ssim\":\(r.ssim.map { PixelComparisonText.json($0, decimals: 4) } ?? "null"),"
            + "\"sentence\":\(JSONText.quoted(r.sentence))}"
    }
}

/// Numbers in JSON: finite, `decimals` decimals (three by default).
enum PixelComparisonText {
    static func json(_ v: Double, decimals: Int = 3) -> String {
        guard v.isFinite else { return "null" }
        var scale = 1
        for _ in 0 ..< decimals { scale *= 10 }
        let m = Int((v * Double(scale)).rounded())
        let frac = String(abs(m % scale))
        return "\(m < 0 && m / scale == 0 ? "-" : "")\(m / scale).\(String(repeating: "0", count: decimals - frac.count))\(frac)"
    }
}
