import ArgumentParser
import SafeText

/// Runs a root command and exits: help goes to stdout with status 0; every failure is
/// one `Error: ...` line on stderr with the status ``Failure`` gives it (ArgumentParser's
/// parse and validation errors: their first line, "(see --help)", status 64).
public func runMain<Root: ParsableCommand>(_ root: Root.Type, arguments: [String]? = nil) -> Never {
    Output.ignoreBrokenPipes()
    do {
        var command = try root.parseAsRoot(arguments ?? Output.rawArguments())
        try command.run()
        Output.exit(.success)
    } catch {
        if let (status, message) = Failure.classify(error) {
            Output.error(message)
            Output.exit(status)
        }
        let code = root.exitCode(for: error)
        if code == .success {
            Output.line(root.fullMessage(for: error))
            Output.exit(.success)
        }
        let message = root.message(for: error)
        if !message.isEmpty {
            let first = message.split(separator: "\n", omittingEmptySubsequences: true).first.map(String.init) ?? message
            let text = first.hasPrefix("Error: ") ? String(first.dropFirst(7)) : first
            // The parser quotes arguments back (an unknown option, a bad value), and an
            // argument may come from a hostile file name through a glob: escaped like any
            // untrusted text.
            Output.error(TerminalText.escape(text) + " (see --help)")
        }
        Output.exit(code == .validationFailure ? .usage : ExitStatus(rawValue: code.rawValue) ?? .usage)
    }
}
