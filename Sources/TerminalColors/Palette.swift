/// The one table of terminal colours: xterm's 256-colour palette (its first 16 are the
/// basic colours 8- and 16-colour terminals have), and the nearest index to a colour.
/// Previews, the terminal backend and the benchmarks all read it here.
public enum Palette {
    /// The colour of an index (0-15: xterm's basic colours; 16-231: the 6x6x6 cube;
    /// 232-255: the grey ramp).
    public static func rgb(_ index: UInt8) -> (UInt8, UInt8, UInt8) {
        let i = Int(index)
        if i < 16 { return basicColors[i] }
        if i >= 232 { let v = UInt8(8 + 10 * (i - 232)); return (v, v, v) }
        let levels: [UInt8] = [0, 95, 135, 175, 215, 255]
        let c = i - 16
        return (levels[c / 36], levels[(c / 6) % 6], levels[c % 6])
    }

    /// The index (0...15) of one of the 16 basic colours, if `rgb` is exactly one (as
    /// the 8- and 16-colour previews produce), else nil.
    public static func basic(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8? {
        basicColors.firstIndex { $0.0 == r && $0.1 == g && $0.2 == b }.map(UInt8.init)
    }

    /// The nearest index (16...255) to an sRGB colour.
    public static func nearest(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> UInt8 {
        func level(_ v: UInt8) -> Int { v < 48 ? 0 : v < 115 ? 1 : (Int(v) - 35) / 40 }
        let cube = 16 + 36 * level(r) + 6 * level(g) + level(b)
        let avg = (Int(r) + Int(g) + Int(b)) / 3
        let gray = avg > 238 ? 255 : 232 + max(0, (avg - 3) / 10)
        func dist(_ i: Int) -> Int {
            let p = rgb(UInt8(i))
            let dr = Int(p.0) - Int(r), dg = Int(p.1) - Int(g), db = Int(p.2) - Int(b)
            return dr * dr + dg * dg + db * db
        }
        return UInt8(dist(cube) <= dist(gray) ? cube : gray)
    }
}

extension Palette {
    /// The 16 basic colours, in index order (xterm's defaults). Read on every cell a
    /// backend maps (``index(for:colors:exactBasic:)``): a table, not a literal per call.
    public static let basicColors: [(UInt8, UInt8, UInt8)] = [
        (0, 0, 0), (205, 0, 0), (0, 205, 0), (205, 205, 0), (0, 0, 238), (205, 0, 205), (0, 205, 205), (229, 229, 229),
        (127, 127, 127), (255, 0, 0), (0, 255, 0), (255, 255, 0), (92, 92, 255), (255, 0, 255), (0, 255, 255), (255, 255, 255),
    ]
}
