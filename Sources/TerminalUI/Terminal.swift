/// What a terminal can show.
public struct Capabilities: Equatable, Sendable {
    /// Colours available: 0 (none), 8, 16 or 256.
    public var colors: Int
    /// Whether non-ASCII characters (half blocks, box drawing) can be drawn.
    public var unicode: Bool
    /// Which pixel protocol the terminal draws, if any (decided before the app starts).
    public var pixels: PixelProtocol?
    /// Whether 24-bit SGR colours can be sent (`COLORTERM=truecolor` or `24bit`): the
    /// ncurses backend then sends cells with an RGB colour in 24-bit colour itself, past
    /// its palette.
    public var truecolor = false
    /// A cell's size in pixels (for sizing images; meaningful with `pixels`).
    public var cellWidth: Int = 10, cellHeight: Int = 20

    /// The ways a terminal can draw pixels.
    public enum PixelProtocol: String, Sendable {
        case sixel, kitty
    }

    /// Creates capabilities.
    public init(colors: Int, unicode: Bool, pixels: PixelProtocol? = nil, cellWidth: Int = 10, cellHeight: Int = 20) {
        self.colors = colors
        self.unicode = unicode
        self.pixels = pixels
        self.cellWidth = cellWidth
        self.cellHeight = cellHeight
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
