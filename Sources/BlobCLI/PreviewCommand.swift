import ArgumentParser
import BlobTransfer
import ImagePreview

/// `blob-reader preview FILE`: prints a character preview like jp2a or chafa.
public struct PreviewCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Print a character preview of a PNG or JPEG file.",
        discussion: "Pixels are averaged in linear light, alpha-weighted and composited over --background.")

    @Argument(help: "The image file.") var file: String
    @Option(help: ArgumentHelp("The box to fit in, in character cells.", valueName: "COLSxROWS")) var size = "80x24"
    @Option(help: "ascii (7-bit characters) or blocks (half blocks, two pixels per cell).")
    var mode: String = "ascii"
    @Option(help: "none, 256 or truecolor, for blocks mode (default: truecolor).") var color: String?
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

    public mutating func validate() throws {
        _ = try options()
    }

    func options() throws -> PreviewOptions {
        let parts = size.lowercased().split(separator: "x")
        guard parts.count == 2, let cols = Int(parts[0]), let rows = Int(parts[1]), cols >= 1, rows >= 1,
              cols <= 10_000, rows <= 10_000 else {
            throw ValidationError("--size must look like 80x24 (columns x rows, each 1 to 10000)")
        }
        guard let mode = PreviewOptions.Mode(rawValue: mode) else { throw ValidationError("--mode must be ascii or blocks") }
        if mode == .ascii, let color, color != "none" {
            throw ValidationError("--color \(color) needs --mode blocks: ASCII mode prints no colour")
        }
        if invert && mode == .blocks && (color ?? "truecolor") != "none" {
            throw ValidationError("--invert changes ASCII and grey shades; coloured blocks show the image's own colours")
        }
        let depth: PreviewOptions.ColorDepth
        if let color {
            guard let d = PreviewOptions.ColorDepth(rawValue: color) else {
                throw ValidationError("--color must be none, 256 or truecolor")
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
        return PreviewOptions(columns: cols, rows: rows, mode: mode, color: mode == .ascii ? .none : depth,
                              invert: invert, background: bg, fontRatio: fontRatio, maxPixels: maxPixels,
                              maxMemory: maxMemory?.bytes ?? PreviewOptions.defaultMaxMemory)
    }

    public func run() throws {
        let options = try options()
        // One descriptor, regular files only, never more than the limit read.
        let (bytes, truncated, size) = try Files.readHead(file, limit: Self.fileLimit)
        if truncated { throw CommandError.tooLargeToPreview(path: file, bytes: size, limit: Self.fileLimit) }
        let input = (absolutePath: file, size: size)
        let (info, grid) = try bytes.withUnsafeBytes { raw throws -> (ImageInfo, CellGrid) in
            do throws(ImageError) {
                return try Preview.render(raw, options: options)
            } catch {
                if case let .unsupported(format) = error {
                    throw CommandError.noPreview(path: input.absolutePath, format: format, bytes: bytes.count)
                }
                throw error
            }
        }
        if self.info {
            Output.line("format: \(info.format.rawValue)")
            Output.line("dimensions: \(info.width)x\(info.height)")
            Output.line("bit depth: \(info.bitDepth)")
            Output.line("color type: \(info.colorType)\(info.interlaced ? ", interlaced" : "")")
        }
        Output.raw(AnsiText.render(grid, color: options.color))
    }
}
