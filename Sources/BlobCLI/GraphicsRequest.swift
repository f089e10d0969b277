import ArgumentParser
import TerminalGraphics
import Platform

/// `--graphics MODE` and `SHAREDBLOB_GRAPHICS`, read in one place for `preview` and both
/// apps: which mode was asked for, what detection reads, and the cell size.
enum GraphicsRequest {
    /// The environment variable that stands in for `--graphics`.
    static let variable = "SHAREDBLOB_GRAPHICS"

    /// The mode asked for: the option, else the variable, else `auto`.
    ///
    /// - Throws: a validation error naming the modes when either is not one.
    static func mode(_ option: String?) throws -> GraphicsMode {
        let text = option ?? Environment.value(variable) ?? GraphicsMode.auto.rawValue
        guard let mode = GraphicsMode(rawValue: text) else {
            throw ValidationError("--graphics (or \(variable)) must be one of "
                                  + GraphicsMode.allCases.map(\.rawValue).joined(separator: ", "))
        }
        return mode
    }

    /// What `auto` decides from: the environment variables detection reads and the
    /// terminal's answers (and, for the one-shot preview inside tmux, tmux's).
    static func detect(_ answers: TerminalAnswers?, tmux: TmuxPane? = nil) -> GraphicsChoice {
        GraphicsDetection.choose(environment: environment(), answers: answers, tmux: tmux)
    }

    /// An explicitly asked mode for the one-shot preview: inside tmux, through passthrough
    /// or as characters when tmux would drop it (``GraphicsDetection/resolve(_:environment:answers:tmux:)``).
    static func resolve(_ asked: GraphicsMode, answers: TerminalAnswers?, tmux: TmuxPane?) -> GraphicsChoice {
        GraphicsDetection.resolve(asked, environment: environment(), answers: answers, tmux: tmux)
    }

    /// The terminal's answers to the queries this environment allows (nil without a
    /// controlling terminal).
    static func askTerminal() -> TerminalAnswers? {
        TerminalQuery.ask(GraphicsDetection.query(environment: environment()))
    }

    /// Inside tmux: what it says about this pane (nil outside tmux).
    static func tmuxPane() -> TmuxPane? {
        guard Environment.value("TMUX") != nil else { return nil }
        return TerminalQuery.askTmux(pane: Environment.value("TMUX_PANE"))
    }

    private static func environment() -> [String: String] {
        var env = [String: String]()
        for name in GraphicsDetection.environmentVariables { env[name] = Environment.value(name) }
        return env
    }

    /// A cell's size in pixels: `given`, else what the terminal reports (`TIOCGWINSZ`,
    /// then its answer to `CSI 16 t`), else 10x20.
    static func cellSize(given: (width: Int, height: Int)?, answers: TerminalAnswers?) -> (width: Int, height: Int) {
        given ?? TerminalQuery.cellSize() ?? answers?.cellSize ?? (10, 20)
    }
}
