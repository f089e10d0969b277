import ArgumentParser
import BlobApps
import BlobTransfer
import ImagePreview
import SafeText

/// `blob-reader compare [FILE]`: the latest blob against a file, by pixels.
public struct CompareCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare the latest blob with a file by pixels (default: the file its path label names).",
        discussion: """
            Verdicts: identical bytes; same pixels, different bytes (a re-encode); different pixels \
            (how many, the largest channel difference, PSNR); different dimensions. Pixels are compared \
            at full depth (16-bit, alpha included). Exit status 0 when the pictures are the same \
            (identical bytes or same pixels), 1 when they differ, as with cmp and diff.
            """)

    @Argument(help: "The file to compare with (default: the blob's path label, when absolute).") var file: String?
    @OptionGroup var segment: SegmentOptions
    @Flag(help: "Print JSON.") var json = false

    public init() {}

    public func run() throws {
        let received = try Receiver.receive(from: try segment.backing(), format: segment.layout)
        let path = try PictureCheck.target(given: file, label: received.path).get()
        let result = try PictureCheck.compare(received.content, with: path).get()
        if json {
            Output.line(Self.json(result, path: path, label: received.path))
        } else {
            Output.line("received: \(TerminalText.escape(received.path)) (\(Self.describe(result.received, result.receivedBytes)))")
            Output.line("on disk:  \(TerminalText.escape(path)) (\(Self.describe(result.disk, result.diskBytes)))")
            Output.line("verdict:  \(result.sentence)")
        }
        if !result.isSamePicture { Output.exit(ExitStatus.differ) }
    }

    static func describe(_ info: ImageInfo?, _ bytes: Int) -> String {
        (info.map { $0.summary + ", " } ?? "") + "\(bytes) B"
    }

    static func json(_ r: PixelComparison, path: String, label: String) -> String {
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
            + "\"sentence\":\(JSONText.quoted(r.sentence))}"
    }
}

/// Numbers in JSON: finite, three decimals.
enum PixelComparisonText {
    static func json(_ v: Double) -> String {
        guard v.isFinite else { return "null" }
        let m = Int((v * 1000).rounded())
        let frac = String(abs(m % 1000))
        return "\(m / 1000).\(String(repeating: "0", count: 3 - frac.count))\(frac)"
    }
}
