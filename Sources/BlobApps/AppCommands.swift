import ArgumentParser
import BlobCLI
import Glibc
import SharedMemory
import TerminalUI

/// `blob-writer [DIR]`: the file picker.
public struct BrowseCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "browse", abstract: "Pick a file in a terminal and publish it (the default command).")

    @Argument(help: "The directory to start in (default: the current one).") var directory = "."
    @OptionGroup var segment: SegmentOptions
    @Option(help: ArgumentHelp("Payload capacity when the segment is created (bytes).", valueName: "BYTES"))
    var capacity: Int = BlobSegment.defaultCapacity

    public init() {}

    public func run() throws {
        try runApp(name: "blob-writer", hint: "blob-writer put FILE") { waker throws(CLIError) in
            var st = stat()
            guard stat(directory, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else {
                throw CLIError("'\(TerminalText.escape(directory))' is not a directory", exit: .io)
            }
            return WriterApp(directory: directory, backing: try segment.backing(), capacity: capacity, waker: waker)
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
        try runApp(name: "blob-reader", hint: "blob-reader get --out FILE") { waker throws(CLIError) in
            ReaderApp(backing: try segment.backing(), waker: waker, watch: watch)
        }
    }
}

/// Runs an app under ncurses and restores the terminal on every way out.
func runApp(name: String, hint: String, make: (Waker) throws(CLIError) -> TerminalApp) throws {
    var app: TerminalApp?
    let waker = Waker()
    do throws(CLIError) {
        guard isatty(0) == 1, isatty(1) == 1 else {
            throw CLIError("\(name) needs a terminal; for scripts use \(hint)", exit: .usage)
        }
        app = try make(waker)
    } catch {
        Output.error(error.message)
        throw ExitCode(error.exit.rawValue)
    }
    guard let terminal = NcursesTerminal() else {
        let term = getenv("TERM").map { String(cString: $0) } ?? ""
        Output.error("unknown terminal type '\(TerminalText.escape(term))' (set TERM, e.g. TERM=xterm-256color)")
        throw ExitCode(BlobExit.usage.rawValue)
    }
    defer { terminal.stop() }
    AppRunner.run(app!, on: terminal, waker: waker)
}
