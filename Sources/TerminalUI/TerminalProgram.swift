/// A terminal app as three pure functions over a state value, in the shape of the Elm
/// architecture: `reduce` turns an input into a new state and a list of effects,
/// `view` turns the state into a ``Screen``, and `work(for:)` says how the runner
/// carries out an effect off the UI thread. No I/O happens in `reduce` or `view`, so
/// tests call them with values; ``AppRunner`` is the one loop that runs them.
public protocol TerminalProgram {
    /// Everything the app knows.
    associatedtype State
    /// Results of effects, delivered back to `reduce`.
    associatedtype Event: Sendable
    /// Work to do outside `reduce` (I/O, decoding, waiting).
    associatedtype Effect: Sendable

    /// Applies one input; returns the effects to start.
    static func reduce(_ state: inout State, _ input: ProgramInput<Event>) -> [Effect]
    /// Draws the state at a size for a terminal with these capabilities.
    static func view(_ state: State, size: ScreenSize, capabilities: Capabilities) -> Screen
    /// Whether the app is done (the runner stops and shuts its workers down).
    static func isFinished(_ state: State) -> Bool
    /// How the runner carries out an effect.
    static func work(for effect: Effect) -> Work<Event>
}

/// What `reduce` is given.
public enum ProgramInput<Event: Sendable>: Sendable {
    /// Once, before anything else.
    case start
    /// A key press.
    case key(Key)
    /// The terminal's size or capabilities changed (also sent once after `start`).
    case resize(ScreenSize, Capabilities)
    /// A result of an effect.
    case event(Event)
}

/// A terminal size in cells.
public struct ScreenSize: Equatable, Sendable {
    /// Columns.
    public var columns: Int
    /// Rows.
    public var rows: Int

    /// Creates a size.
    public init(columns: Int, rows: Int) {
        self.columns = columns
        self.rows = rows
    }
}
