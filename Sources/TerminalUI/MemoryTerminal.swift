/// An in-memory terminal for tests: a size, queued keys, and the last screen drawn.
public final class MemoryTerminal: Terminal {
    /// Current size; change it and queue `.resize` to simulate a resize.
    public var size: (columns: Int, rows: Int)
    /// What it claims to show.
    public var capabilities: Capabilities
    /// The last screen drawn.
    public private(set) var screen: Screen
    /// How many draws happened.
    public private(set) var drawCount = 0
    /// Keys still to be delivered.
    public var pendingKeys: [Key] = []

    /// Creates a terminal of the given size.
    public init(columns: Int = 100, rows: Int = 30, capabilities: Capabilities = .full) {
        size = (columns, rows)
        self.capabilities = capabilities
        screen = Screen(width: columns, height: rows)
    }

    /// Records the screen.
    public func draw(_ screen: Screen) {
        self.screen = screen
        drawCount += 1
    }

    /// Delivers every queued key at once; with none queued, waits for a wake-up (an
    /// effect's result) at most `timeoutMilliseconds` and returns none.
    public func waitForKeys(timeoutMilliseconds: Int32, wakeFD: Int32) -> [Key] {
        if pendingKeys.isEmpty {
            if timeoutMilliseconds != 0 { Sys.waitReadable([wakeFD], milliseconds: timeoutMilliseconds) }
            return []
        }
        defer { pendingKeys.removeAll() }
        return pendingKeys
    }
}
