import ArgumentParser
import BlobApps
import BlobTransfer
import TerminalUI

/// `blob-writer [DIR]`: the file picker.
public struct BrowseCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "browse", abstract: "Pick a file in a terminal and publish it (the default command).")

    @Argument(help: "The directory to start in (default: the current one).") var directory: String?
    @OptionGroup var segment: SegmentOptions
    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Capacity per blob when a publish creates the segment: bytes or 64MiB, 512KiB, 1GiB (default: 10MiB).",
        valueName: "SIZE"))
    var capacity: CapacityArgument?

    public init() {}

    public func run() throws {
        try runApp(WriterProgram.self, name: "blob-writer", hint: "blob-writer put FILE") { () throws(TransferError) in
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
    @Flag(help: "Start in watch mode.") var watch = false

    public init() {}

    public func run() throws {
        try runApp(ReaderProgram.self, name: "blob-reader", hint: "blob-reader get --out FILE") { () throws(TransferError) in
            ReaderState(backing: try segment.backing(), format: segment.layout, saveDirectory: Files.defaultSaveDirectory(), watch: watch)
        }
    }
}

/// Runs an app under ncurses; the terminal is restored on every way out.
func runApp<Program: TerminalProgram>(_ program: Program.Type, name: String, hint: String,
                                      state: () throws(TransferError) -> Program.State) throws {
    guard Output.isTerminal(0), Output.isTerminal(1) else { throw CommandError.needsTerminal(app: name, hint: hint) }
    let initial = try state()
    guard let terminal = NcursesTerminal() else {
        throw CommandError.unknownTerminal(Output.environment("TERM") ?? "")
    }
    defer { terminal.stop() }
    AppRunner<Program>(initial, on: terminal).run()
}
