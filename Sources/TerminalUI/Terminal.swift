/// What a terminal can show.
public struct Capabilities: Equatable, Sendable {
    /// Colours available: 0 (none), 8, 16 or 256.
    public var colors: Int
    /// Whether non-ASCII characters (half blocks, box drawing) can be drawn.
    public var unicode: Bool

    /// Creates capabilities.
    public init(colors: Int, unicode: Bool) {
        self.colors = colors
        self.unicode = unicode
    }

    /// Plain ASCII, no colour.
    public static let plain = Capabilities(colors: 0, unicode: false)
    /// 256 colours and Unicode.
    public static let full = Capabilities(colors: 256, unicode: true)
}

/// A terminal an app draws its ``Screen`` on and reads keys from. The ncurses backend
/// and the in-memory test backend run exactly the same app code.
public protocol Terminal: AnyObject {
    /// Current size in columns and rows.
    var size: (columns: Int, rows: Int) { get }
    /// What it can show.
    var capabilities: Capabilities { get }
    /// Draws a screen (only what changed since the last draw).
    func draw(_ screen: Screen)
    /// Waits for input or a wake-up, at most `timeoutMilliseconds` (-1: no limit), and
    /// returns the keys that arrived (possibly none).
    func waitForKeys(timeoutMilliseconds: Int32, wakeFD: Int32) -> [Key]
}
