import ArgumentParser
import BlobApps
import BlobTransfer
import TerminalGraphics
import TerminalUI
import Platform

/// `--graphics MODE` for the apps: whether previews are drawn as pixels.
struct AppGraphicsOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Previews as kitty or sixel pixels, or characters (blocks, ascii); auto asks the terminal (default: $SHAREDBLOB_GRAPHICS, else auto).",
        valueName: "MODE"))
    var graphics: String?

    func validate() throws { _ = try GraphicsRequest.mode(graphics) }

    /// The pixel protocol and cell size for the app, asked of the terminal before curses
    /// starts (nil: characters). iTerm2's protocol is not used by the apps.
    func pixels() throws -> (Capabilities.PixelProtocol, cellWidth: Int, cellHeight: Int)? {
        let asked = try GraphicsRequest.mode(graphics)
        guard asked == .auto || asked.isPixels else { return nil }
        let answers = GraphicsRequest.askTerminal()
        // Inside tmux only what tmux draws itself: passthrough images would outlive the
        // app's redraws (tmux does not know they are there).
        let mode = asked == .auto ? GraphicsRequest.detect(answers).mode
            : GraphicsRequest.resolve(asked, answers: answers, tmux: nil).mode
        let cell = GraphicsRequest.cellSize(given: nil, answers: answers)
        switch mode {
        case .sixel: return (.sixel, cell.width, cell.height)
        case .kitty: return (.kitty, cell.width, cell.height)
        default: return nil
        }
    }
}

/// `blob-writer [DIR]`: the file picker.
public struct BrowseCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "browse", abstract: "Pick a file in a terminal and publish it (the default command).")

    @Argument(help: "The directory to start in (default: the current one).") var directory: String?
    @OptionGroup var segment: SegmentOptions
    @OptionGroup var graphics: AppGraphicsOptions
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Capacity per blob when a publish creates the segment: bytes or 64MiB, 512KiB, 1GiB (default: 10MiB).",
        valueName: "SIZE"))
    var capacity: CapacityArgument?

    public init() {}

    public func run() throws {
        try runApp(WriterProgram.self, name: "blob-writer", hint: "blob-writer put FILE", graphics: graphics) { () throws(TransferError) in
            WriterState(directory: try Files.directory(directory ?? "."), backing: try segment.backing(), format: segment.layout,
                        capacity: capacity?.bytes)
        }
    }
}

/// `blob-reader`: the viewer.
public struct ViewCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "view", abstract: "Read, verify and preview blobs in a terminal (the default command).")

    @OptionGroup var segment: SegmentOptions
    @OptionGroup var graphics: AppGraphicsOptions
    @Flag(help: "Start in watch mode.") var watch = false

    public init() {}

    public func run() throws {
        try runApp(ReaderProgram.self, name: "blob-reader", hint: "blob-reader get --out FILE", graphics: graphics) { () throws(TransferError) in
            ReaderState(backing: try segment.backing(), format: segment.layout, saveDirectory: Files.defaultSaveDirectory(), watch: watch)
        }
    }
}

/// Runs an app under ncurses; the terminal is restored on every way out.
func runApp<Program: TerminalProgram>(_ program: Program.Type, name: String, hint: String, graphics: AppGraphicsOptions,
                                      state: () throws(TransferError) -> Program.State) throws {
    guard Output.isTerminal(0), Output.isTerminal(1) else { throw CommandError.needsTerminal(app: name, hint: hint) }
    let initial = try state()
    guard let terminal = NcursesTerminal(pixels: try graphics.pixels()) else {
        throw CommandError.unknownTerminal(Environment.value("TERM") ?? "")
    }
    defer { terminal.stop() }
    AppRunner<Program>(initial, on: terminal).run()
}
