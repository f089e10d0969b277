import ArgumentParser
import Glibc

/// Runs a root command: help goes to stdout with status 0; any parse error is one
/// `Error: ...` line on stderr with status 64.
public func runMain<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) -> Never {
    signal(SIGPIPE, SIG_IGN)
    do {
        var command = try root.parseAsRoot(arguments)
        try command.run()
        exit(0)
    } catch {
        let code = root.exitCode(for: error)
        if code == .success {
            Output.line(root.fullMessage(for: error))
            exit(0)
        }
        let message = root.message(for: error)
        if !message.isEmpty {
            let first = message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? message
            let text = first.hasPrefix("Error: ") ? String(first.dropFirst(7)) : first
            Output.error(text + " (see --help)")
        }
        exit(code.rawValue)
    }
}
