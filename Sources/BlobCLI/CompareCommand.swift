import ArgumentParser
import BlobApps
import BlobTransfer
import ImagePreview
import SafeText
import TerminalGraphics
import TerminalUI
import Platform

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
            yellow (1/255) to magenta (255/255). --show draws received | on disk | difference in the terminal \
            (sixel or kitty pixels, coloured blocks or ASCII, as preview chooses; --graphics, --size). Exit status 0 when the pictures are the same (identical \
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
    @Flag(help: "Draw received | on disk | difference in the terminal, after the verdict.") var show = false
    @Option(help: ArgumentHelp("For --show: kitty or sixel (pixels), blocks or ascii (characters), or auto: what the terminal supports (default: $SHAREDBLOB_GRAPHICS, else auto).",
                               valueName: "MODE"))
    var graphics: String?
    @Option(help: ArgumentHelp("For --show: the area in character cells (default: the terminal's size, else 120x30).",
                               valueName: "COLSxROWS"))
    var size: String?

    public init() {}

    public func validate() throws {
        if files.count > 2 { throw ValidationError("compare takes at most two files (compare A B)") }
        if files.count == 2 && (segment.segment != nil || segment.file != nil) {
            throw ValidationError("compare A B compares two files; --segment and --file name a blob to compare instead")
        }
        if !(0 ... 255).contains(threshold) { throw ValidationError("--threshold must be 0 to 255") }
        if diff == "-" { throw ValidationError("--diff needs a file name (the picture is a PNG, not for a terminal); --show draws it here") }
        if show && json { throw ValidationError("--show draws for a person and --json prints for a program: use one") }
        if !show && (graphics != nil || size != nil) { throw ValidationError("--graphics and --size go with --show") }
        _ = try GraphicsRequest.mode(graphics)
        if let size, Self.cells(size) == nil { throw ValidationError("--size must look like 120x30 (columns x rows, 30 to 1000 by 8 to 1000)") }
    }

    /// `COLSxROWS`, within what a compare view can use.
    static func cells(_ text: String) -> (columns: Int, rows: Int)? {
        let p = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard p.count == 2, (30 ... 1000).contains(p[0]), (8 ... 1000).contains(p[1]) else { return nil }
        return (p[0], p[1])
    }

    public func run() throws {
        let picture = diff != nil || show
        var result: PixelComparison
        let first: (name: String, title: String), second: String
        let bytes: (first: [UInt8], second: [UInt8])
        if files.count == 2 {
            bytes = (try PictureCheck.readFile(files[0]).get(), try PictureCheck.readFile(files[1]).get())
            result = try PictureCheck.compare(bytes.first, bytes.second,
                                              sides: ("the file '\(TerminalText.escape(files[0]))'", "the file '\(TerminalText.escape(files[1]))'"),
                                              threshold: threshold, differencePicture: picture).get()
            result.names = ("first", "second")
            (first, second) = ((files[0], "first: "), files[1])
        } else {
            let received = try Receiver.receive(from: try segment.backing(), format: segment.layout)
            let path = try PictureCheck.target(given: files.first, label: received.path).get()
            bytes = (received.content, try PictureCheck.readFile(path).get())
            result = try PictureCheck.compare(bytes.first, bytes.second,
                                              sides: ("the received blob", "the file on disk '\(TerminalText.escape(path))'"),
                                              threshold: threshold, differencePicture: picture).get()
            (first, second) = ((received.path, "received:"), path)
        }
        if let diff {
            if let pixels = result.differencePicture, let info = result.received {
                try Files.writeAtomically(try PNGEncoder.rgba8(pixels, width: info.width, height: info.height, opaque: true), to: diff)
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
        if show { try draw(CompareView.Pictures(received: bytes.first, disk: bytes.second, comparison: result)) }
        if !result.isSamePicture { Output.exit(ExitStatus.differ) }
    }

    /// `--show`: the compare view printed once, in the mode `--graphics` asks for or the
    /// terminal supports (pixels inside tmux, or iTerm2's protocol: coloured blocks instead).
    func draw(_ pictures: CompareView.Pictures) throws {
        let asked = try GraphicsRequest.mode(graphics)
        var answers: TerminalAnswers?
        var choice: GraphicsChoice
        if asked != .auto {
            choice = GraphicsChoice(mode: asked, color: asked == .ascii ? .none : .truecolor, reason: "asked for")
        } else if Output.isTerminal(1) {
            answers = GraphicsRequest.askTerminal()
            choice = GraphicsRequest.detect(answers, tmux: GraphicsRequest.tmuxPane())
        } else {
            choice = GraphicsChoice(mode: .ascii, color: .none, reason: "stdout is not a terminal")
        }
        if choice.mode == .iterm || (choice.mode.isPixels && (choice.passthrough || Environment.value("TMUX") != nil)) {
            Output.info("Note: --show draws \(choice.mode.rawValue) pixels only outside tmux, and not with iTerm2's protocol: coloured blocks instead")
            choice = GraphicsChoice(mode: .blocks, color: .truecolor, reason: "pixels not drawn here")
        }
        var capabilities: Capabilities
        switch choice.mode {
        case .sixel, .kitty:
            let cell = GraphicsRequest.cellSize(given: nil, answers: answers)
            capabilities = Capabilities(colors: 256, unicode: true, pixels: choice.mode == .sixel ? .sixel : .kitty,
                                        cellWidth: cell.width, cellHeight: cell.height)
        case .ascii:
            capabilities = Capabilities(colors: 0, unicode: false)
        default:
            let colors: [PreviewOptions.ColorDepth: Int] = [.ansi8: 8, .ansi16: 16, .palette256: 256, .truecolor: 256]
            capabilities = Capabilities(colors: colors[choice.color] ?? 256, unicode: true)
            // 24-bit colours go out as cursor-placed rows: only to a terminal (a pipe gets 256 colours inline).
            capabilities.truecolor = choice.color == .truecolor && Output.isTerminal(1)
        }
        var area = (columns: 120, rows: 30)
        if let size, let asked = Self.cells(size) {
            area = asked
        } else if Output.isTerminal(1), let window = TerminalQuery.windowSize(of: 1) {
            area = (max(30, window.columns), max(8, window.rows - 1))
        }
        let out = CompareView.printable(pictures, columns: area.columns, rows: area.rows, capabilities: capabilities)
        try out.withUnsafeBytes { try Output.bytes($0) }
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
