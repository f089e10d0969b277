import BlobTransfer
import Glibc
import Platform
import SafeText
import SystemPackage

// The OS boundary of BlobCLI: the standard streams, whether they are terminals, the
// environment and the process exit.

/// Writing to stdout and stderr without buffering surprises.
public enum Output {
    /// Prints a line on stdout.
    public static func line(_ text: String) { write(.standardOutput, text + "\n") }

    /// Prints text on stdout as it is.
    public static func raw(_ text: String) { write(.standardOutput, text) }

    /// Prints a line on stderr.
    public static func info(_ text: String) { write(.standardError, text + "\n") }

    /// Prints `Error: message` on stderr.
    public static func error(_ message: String) { write(.standardError, "Error: " + message + "\n") }

    /// Writes bytes to stdout.
    static func bytes(_ raw: UnsafeRawBufferPointer) throws(TransferError) {
        try Files.writeAll(.standardOutput, raw, name: "stdout")
    }

    /// Whether standard input (0) or output (1) is a terminal. The corresponding C
    /// function is `isatty`.
    static func isTerminal(_ fd: Int32) -> Bool { isatty(fd) == 1 }


    /// A closed pipe is a write error, not a signal. The corresponding C function is `signal`.
    /// How a sibling executable of this one (`blob-writer`, `blob-reader`) is to be named
    /// in a remedy the user can paste: its bare name when `PATH` finds that very file
    /// (installed), else its absolute path, shell-quoted (`swift run`, `.build/release`).
    /// The corresponding C functions are `readlink`, `stat` and `getenv`.
    static func commandName(_ tool: String) -> String {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        guard n > 0 else { return tool }
        let exe = String(decoding: buf[0 ..< n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let sibling = String(exe[..<(exe.lastIndex(of: "/") ?? exe.startIndex)]) + "/" + tool
        var mine = stat()
        guard stat(sibling, &mine) == 0 else { return tool }
        for dir in (Environment.value("PATH") ?? "").split(separator: ":") {
            var found = stat()
            if stat(dir + "/" + tool, &found) == 0 {
                return found.st_dev == mine.st_dev && found.st_ino == mine.st_ino ? tool : ShellWord.quote(sibling)
            }
        }
        return ShellWord.quote(sibling)
    }

    static func ignoreBrokenPipes() { signal(SIGPIPE, SIG_IGN) }

    /// The command-line arguments (without the program name), with bytes that are not
    /// UTF-8 kept as ``RawPath`` stand-ins instead of being replaced, so a file name
    /// that is not UTF-8 still names its file.
    static func rawArguments() -> [String] {
        (1 ..< Int(CommandLine.argc)).map { i in
            guard let arg = CommandLine.unsafeArgv[i] else { return "" }
            return RawPath.decode(UnsafeRawBufferPointer(start: arg, count: strlen(arg)))
        }
    }

    /// Ends the process. The corresponding C function is `exit`.
    static func exit(_ status: ExitStatus) -> Never { Glibc.exit(status.rawValue) }

    private static func write(_ fd: FileDescriptor, _ text: String) {
        var text = text
        text.withUTF8 { buf in try? Files.writeAll(fd, UnsafeRawBufferPointer(buf), name: fd == .standardOutput ? "stdout" : "stderr") }
    }
}
