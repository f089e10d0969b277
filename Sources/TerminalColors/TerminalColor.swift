/// A colour as an app asks for it: an index of xterm's 256-colour palette, or an sRGB
/// value. The terminal backend, or ``SGR`` for printed text, turns it into what the
/// terminal has (``ColorDepth``) through ``Palette/index(for:colors:exactBasic:)``, the one mapping.
/// An integer literal is an index (`Style(foreground: 9)`).
public enum TerminalColor: Hashable, Sendable, ExpressibleByIntegerLiteral {
    /// A 256-colour palette index.
    case indexed(UInt8)
    /// An sRGB colour.
    case rgb(UInt8, UInt8, UInt8)

    public init(integerLiteral value: UInt8) { self = .indexed(value) }
}

/// How many colours a terminal (or a printed text) shows.
public enum ColorDepth: String, Sendable, CaseIterable {
    /// No colour.
    case none
    /// The xterm 256-colour palette.
    case palette256 = "256"
    /// The 16 ANSI colours (SGR 30-37, 90-97), xterm's default values assumed.
    case ansi16 = "16"
    /// The 8 ANSI colours (SGR 30-37), as under `TERM=xterm`.
    case ansi8 = "8"
    /// 24-bit colour.
    case truecolor

    /// The depth of a terminal with `colors` palette colours (0, 8, 16, 256), and 24-bit
    /// colour when `truecolor`.
    public init(colors: Int, truecolor: Bool) {
        self = colors <= 0 ? .none : truecolor ? .truecolor : colors >= 256 ? .palette256 : colors >= 16 ? .ansi16 : .ansi8
    }

    /// How many palette colours it has (0 for none, 256 for truecolor's fallback).
    public var paletteColors: Int {
        switch self {
        case .none: 0
        case .ansi8: 8
        case .ansi16: 16
        case .palette256, .truecolor: 256
        }
    }
}

extension Palette {
    /// The sRGB value of a colour (an index's palette entry).
    public static func rgb(of color: TerminalColor) -> (UInt8, UInt8, UInt8) {
        switch color {
        case let .indexed(i): rgb(i)
        case let .rgb(r, g, b): (r, g, b)
        }
    }

    /// The palette index a terminal with `colors` colours (8, 16, 256) shows for
    /// `color`: an RGB colour becomes its basic colour when it is exactly one (with
    /// `exactBasic`; else, and otherwise, the nearest of the 256: the cube and grey entries,
    /// which colour themes do not change); an index beyond the terminal's colours becomes
    /// the basic colour nearest in hue (bright ones only with 16).
    public static func index(for color: TerminalColor, colors: Int, exactBasic: Bool = true) -> Int {
        let index: UInt8
        switch color {
        case let .indexed(i): index = i
        case let .rgb(r, g, b): index = (exactBasic || colors < 256 ? basic(r, g, b) : nil) ?? nearest(r, g, b)
        }
        if Int(index) < colors { return Int(index) }
        let c = rgb(index)
        let bright = colors >= 16 && Int(c.0) + Int(c.1) + Int(c.2) > 3 * 160
        let r = c.0 > 100 ? 1 : 0, g = c.1 > 100 ? 2 : 0, b = c.2 > 100 ? 4 : 0
        return (r | g | b) + (bright ? 8 : 0)
    }
}

/// The one writer of SGR colour codes: for a colour, the codes that set it as the
/// foreground or the background at a depth (24-bit as `38;2;R;G;B`, palette indices
/// above 15 as `38;5;N`, the basic colours as 30-37/90-97 and 40-47/100-107).
public enum SGR {
    /// Which colour of the cell.
    public enum Layer: Sendable { case foreground, background }

    /// The codes, without the `ESC [` and `m` around them (join several with `;`); nil
    /// when the depth has no colour. `exactBasic` as in ``Palette/index(for:colors:exactBasic:)``:
    /// the apps' screens keep exact basic colours basic; `preview`'s text at 256 colours
    /// writes cube entries.
    public static func codes(_ color: TerminalColor, _ layer: Layer, depth: ColorDepth, exactBasic: Bool = true) -> String? {
        let extended = layer == .foreground ? 38 : 48
        if depth == .none { return nil }
        if depth == .truecolor, case let .rgb(r, g, b) = color { return "\(extended);2;\(r);\(g);\(b)" }
        let i = Palette.index(for: color, colors: depth.paletteColors, exactBasic: exactBasic)
        if i < 8 { return "\((layer == .foreground ? 30 : 40) + i)" }
        if i < 16 { return "\((layer == .foreground ? 90 : 100) + i - 8)" }
        return "\(extended);5;\(i)"
    }

    /// `codes` as one escape sequence (empty when the depth has no colour).
    public static func sequence(_ color: TerminalColor, _ layer: Layer, depth: ColorDepth, exactBasic: Bool = true) -> String {
        codes(color, layer, depth: depth, exactBasic: exactBasic).map { "\u{1b}[\($0)m" } ?? ""
    }
}
