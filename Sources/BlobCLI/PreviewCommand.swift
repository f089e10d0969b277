import ArgumentParser
import BlobApps
import BlobTransfer
import ImagePreview
import TerminalGraphics
import Platform

/// `blob-reader preview [FILE | -]`: prints a preview like jp2a or chafa, of a file,
/// standard input, or the latest blob of a segment.
public struct PreviewCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Print a preview of a PNG or JPEG: a file, standard input (-), or what arrived in a segment.",
        discussion: "Without FILE it previews the latest blob of the segment (--segment, --file; default: shared-blob), "
            + "verified. Pixels are averaged in linear light, alpha-weighted and composited over --background.")

    @Argument(help: ArgumentHelp("The image file, or - for standard input (default: the segment's latest blob).", valueName: "FILE"))
    var image: String?
    @OptionGroup var segment: SegmentOptions
    @Option(help: ArgumentHelp("The box to fit in, in character cells (default: the terminal's size when stdout is one, else 80x24).",
                               valueName: "COLSxROWS"))
    var size: String?
    @Option(help: ArgumentHelp(
        "kitty, sixel or iterm (real pixels), blocks or ascii (characters), or auto: the best the terminal supports, asked with a 0.3 s timeout when stdout is a terminal (default: $SHAREDBLOB_GRAPHICS, else auto). Inside tmux, pixels go through to the outer terminal when the pane allows it (tmux set -g allow-passthrough on).",
        valueName: "MODE"))
    var graphics: String?
    @Option(help: ArgumentHelp("A character cell's size in pixels, for kitty/sixel (default: what the terminal reports, else 10x20).",
                               valueName: "WxH"))
    var cellSize: String?
    @Option(help: "ascii (7-bit characters) or blocks (half blocks, two pixels per cell); sets character output.")
    var mode: String?
    @Option(help: "none, 8, 16, 256 or truecolor: the colours of blocks mode (a colour alone implies blocks; default: what the terminal says, truecolor when stdout is not a terminal).")
    var color: String?
    @Option(help: "none, ordered or diffusion: how 8 and 16 colours approximate others.")
    var dither: String = "ordered"
    @Flag(help: "Dense characters for dark pixels (light terminals).") var invert = false
    @Option(help: ArgumentHelp("Colour under transparent pixels: black, white or #rrggbb.", valueName: "COLOR"))
    var background = "black"
    @Option(help: "A character cell's height divided by its width.") var fontRatio = 2.0
    @Option(help: "Refuse images with more pixels than this (decompression bombs).")
    var maxPixels = PreviewOptions.defaultMaxPixels
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Refuse images whose decoding would need more memory than this (default: 256MiB).", valueName: "SIZE"))
    var maxMemory: CapacityArgument?
    @Flag(help: "Print format, dimensions, bit depth and colour type first.") var info = false

    /// The largest file `preview` reads (the whole file is needed to decode it).
    static let fileLimit = 256 << 20

    public init() {}

    /// `--mode`, or blocks when only a colour depth was asked for (colour needs blocks).
    var characterMode: String? { mode ?? (color.map { $0 != "none" } == true ? "blocks" : nil) }

    public mutating func validate() throws {
        if image != nil && (segment.segment != nil || segment.file != nil) {
            throw ValidationError("give an image FILE or a segment (--segment, --file), not both")
        }
        _ = try options(mode: characterMode ?? "ascii", color: color, box: (80, 24))
        _ = try GraphicsRequest.mode(graphics)
        if let cellSize, Self.cell(cellSize) == nil { throw ValidationError("--cell-size must look like 10x20 (1 to 200 each)") }
        if PreviewOptions.Dither(rawValue: dither) == nil { throw ValidationError("--dither must be none, ordered or diffusion") }
    }

    static func cell(_ text: String) -> (width: Int, height: Int)? {
        let p = text.lowercased().split(separator: "x").compactMap { Int($0) }
        guard p.count == 2, (1 ... 200).contains(p[0]), (1 ... 200).contains(p[1]) else { return nil }
        return (p[0], p[1])
    }

    /// The output mode: what was asked (inside tmux, pixels only where tmux lets them
    /// through), or for `auto` what the terminal supports (asked only when stdout is a
    /// terminal; otherwise characters as `--mode` says).
    func chooseGraphics() throws -> (GraphicsChoice, TerminalAnswers?) {
        let asked = try GraphicsRequest.mode(graphics)
        if asked != .auto {
            if asked.isPixels, Output.isTerminal(1), Environment.value("TMUX") != nil {
                let answers = GraphicsRequest.askTerminal()
                let choice = GraphicsRequest.resolve(asked, answers: answers, tmux: GraphicsRequest.tmuxPane())
                if !choice.mode.isPixels { Output.info("Note: \(choice.reason)") }
                return (choice, answers)
            }
            return (GraphicsChoice(mode: asked, color: asked == .ascii ? .none : .truecolor, reason: "asked for"), nil)
        }
        if characterMode != nil || !Output.isTerminal(1) {
            let m = characterMode ?? "ascii"
            let reason = mode != nil ? "--mode \(m)" : characterMode != nil ? "--color \(color ?? "")" : "stdout is not a terminal"
            return (GraphicsChoice(mode: m == "blocks" ? .blocks : .ascii, color: m == "blocks" ? .truecolor : .none,
                                   reason: reason), nil)
        }
        let answers = GraphicsRequest.askTerminal()
        return (GraphicsRequest.detect(answers, tmux: GraphicsRequest.tmuxPane()), answers)
    }

    /// The box: `--size`, else the terminal's (a row left for the prompt, and for
    /// `--info`'s lines), else 80x24.
    func box() -> (columns: Int, rows: Int) {
        guard size == nil, Output.isTerminal(1), let window = TerminalQuery.windowSize(of: 1) else { return (80, 24) }
        return (window.columns, max(1, window.rows - 1 - (info ? 5 : 0)))
    }

    func options(mode: String, color: String?, box: (columns: Int, rows: Int)) throws -> PreviewOptions {
        var cols = box.columns, rows = box.rows
        if let size {
            let parts = size.lowercased().split(separator: "x")
            guard parts.count == 2, let c = Int(parts[0]), let r = Int(parts[1]), c >= 1, r >= 1, c <= 10_000, r <= 10_000 else {
                throw ValidationError("--size must look like 80x24 (columns x rows, each 1 to 10000)")
            }
            (cols, rows) = (c, r)
        }
        guard let mode = PreviewOptions.Mode(rawValue: mode) else { throw ValidationError("--mode must be ascii or blocks") }
        let dither = PreviewOptions.Dither(rawValue: self.dither) ?? .ordered
        if mode == .ascii, let color, color != "none" {
            throw ValidationError("--color \(color) needs blocks, not --mode ascii: ASCII mode prints no colour")
        }
        if invert && mode == .blocks && (color ?? "truecolor") != "none" {
            throw ValidationError("--invert changes ASCII and grey shades; coloured blocks show the image's own colours")
        }
        let depth: PreviewOptions.ColorDepth
        if let color {
            guard let d = PreviewOptions.ColorDepth(rawValue: color) else {
                throw ValidationError("--color must be none, 8, 16, 256 or truecolor")
            }
            depth = d
        } else {
            depth = mode == .blocks ? .truecolor : .none
        }
        guard let bg = RGB(parsing: background) else {
            throw ValidationError("--background must be black, white or #rrggbb")
        }
        guard fontRatio > 0.1, fontRatio < 10 else { throw ValidationError("--font-ratio must be between 0.1 and 10") }
        guard maxPixels >= 1 else { throw ValidationError("--max-pixels must be at least 1") }
        var options = PreviewOptions(columns: cols, rows: rows, mode: mode, color: mode == .ascii ? .none : depth,
                                     invert: invert, background: bg, fontRatio: fontRatio, maxPixels: maxPixels,
                                     maxMemory: maxMemory?.bytes ?? PreviewOptions.defaultMaxMemory)
        options.dither = dither
        return options
    }

    public func run() throws {
        let (choice, answers) = try chooseGraphics()
        let chosenMode = choice.mode == .blocks ? "blocks" : "ascii"
        // Detected colours unless --color says otherwise.
        let depth = color ?? (choice.mode == .blocks && mode == nil ? choice.color.rawValue : nil)
        let box = box()
        let options = try options(mode: choice.mode.isPixels ? "ascii" : chosenMode, color: depth, box: box)
        let (bytes, file) = try readImage()
        let input = (absolutePath: file, size: bytes.count)
        func noPreview(_ error: ImageError) -> any Error {
            if case .unsupported = error {
                return CommandError.noPreview(path: input.absolutePath, kind: ContentHead.kindName(of: bytes), bytes: bytes.count)
            }
            return error
        }
        func printInfo(_ info: ImageInfo) {
            guard self.info else { return }
            Output.line("format: \(info.format.rawValue)")
            Output.line("dimensions: \(info.width)x\(info.height)")
            Output.line("bit depth: \(info.bitDepth)")
            Output.line("color type: \(info.colorType)\(info.passes.map { ", " + $0 } ?? "")")
            let depthNote = choice.mode == .blocks ? " \(options.color.rawValue)" : ""
            Output.line("output: \(choice.mode.rawValue)\(depthNote) (\(choice.reason))")
        }
        if choice.mode.isPixels {
            let cell = GraphicsRequest.cellSize(given: cellSize.flatMap(Self.cell), answers: answers)
            let boxWidth = options.columns * cell.width, boxHeight = options.rows * cell.height
            let (info, raster) = try bytes.withUnsafeBytes { raw throws -> (ImageInfo, Raster) in
                do throws(ImageError) {
                    return try Preview.raster(raw, boxWidth: boxWidth, boxHeight: boxHeight, options: options)
                } catch { throw noPreview(error) }
            }
            printInfo(info)
            let columns = (raster.width + cell.width - 1) / cell.width, rows = (raster.height + cell.height - 1) / cell.height
            // iTerm2 decodes the file itself: the cells the raster would cover.
            let image: [UInt8]
            do throws(GraphicsEncoder.EncodeError) {
                image = try GraphicsEncoder.draw(raster, as: choice.mode, file: bytes, columns: columns, rows: rows)
            } catch {
                throw CommandError.usage("\(error.description), or use --graphics blocks")
            }
            guard choice.passthrough else {
                try image.withUnsafeBytes { try Output.bytes($0) }
                Output.raw("\n")
                return
            }
            if let wrapped = Passthrough.tmux(image) {
                Output.raw(Passthrough.reserve(rows: rows))
                try wrapped.withUnsafeBytes { try Output.bytes($0) }
                Output.raw(Passthrough.leave(rows: rows))
                return
            }
            // Too long for tmux to pass through: characters, in the pane's colours.
            Output.info("Note: the \(choice.mode.rawValue) image (\(image.count) bytes) is longer than tmux passes through (\(Passthrough.limit)): characters instead; a smaller --size draws pixels")
            let fallback = GraphicsRequest.detect(answers)
            let blocks = fallback.mode == .blocks
            try printCharacters(try self.options(mode: blocks ? "blocks" : "ascii", color: color ?? (blocks ? fallback.color.rawValue : nil),
                                                 box: box),
                                announce: false)
            return
        }
        try printCharacters(options, announce: true)

        /// Draws the image as characters, after `--info`'s lines when `announce`.
        func printCharacters(_ options: PreviewOptions, announce: Bool) throws {
            let (info, grid) = try bytes.withUnsafeBytes { raw throws -> (ImageInfo, CellGrid) in
                do throws(ImageError) {
                    return try Preview.render(raw, options: options)
                } catch { throw noPreview(error) }
            }
            if announce { printInfo(info) }
            Output.raw(AnsiText.render(grid, color: options.color))
        }
    }

    /// The bytes to preview and what to call them: the file (one descriptor, regular
    /// files only, never more than the limit read), standard input (at most the limit),
    /// or the segment's latest blob, verified, labelled with its path label.
    func readImage() throws -> (bytes: [UInt8], name: String) {
        switch image {
        case "-"?:
            let input = try Files.standardInput()
            let bytes = try input.readBytes(max: Self.fileLimit + 1)
            if bytes.count > Self.fileLimit {
                throw CommandError.tooLargeToPreview(path: "standard input", bytes: bytes.count, limit: Self.fileLimit)
            }
            return (bytes, "standard input")
        case let file?:
            let (bytes, truncated, size) = try Files.readHead(file, limit: Self.fileLimit)
            if truncated { throw CommandError.tooLargeToPreview(path: file, bytes: size, limit: Self.fileLimit) }
            return (bytes, file)
        case nil:
            let received = try Receiver.receive(from: try segment.backing(), format: segment.layout)
            return (received.content, received.path.isEmpty ? "the latest blob" : received.path)
        }
    }
}
