import TerminalColors

/// sRGB <-> linear-light conversion through tables, and the xterm 256-colour palette.
enum ColorMath {
    /// sRGB byte -> linear light in 0...1.
    static let toLinear: [Float] = (0 ..< 256).map { i in
        let c = Double(i) / 255
        return Float(c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4))
    }

    /// sRGB byte -> linear light in 0...65535.
    static let toLinear16: [UInt16] = toLinear.map { UInt16(($0 * 65535).rounded()) }

    static let encodeSteps = 4096
    /// Linear light (quantised to 1/4095) -> sRGB byte.
    static let toSRGB: [UInt8] = (0 ... encodeSteps - 1).map { i in
        let l = Double(i) / Double(encodeSteps - 1)
        let c = l <= 0.0031308 ? l * 12.92 : 1.055 * pow(l, 1 / 2.4) - 0.055
        return UInt8(max(0, min(255, (c * 255).rounded())))
    }

    @inline(__always)
    static func encode(_ linear: Float) -> UInt8 {
        let i = Int(max(0, min(1, linear)) * Float(encodeSteps - 1) + 0.5)
        return toSRGB[i]
    }

    /// The xterm palette's colour for an index 16...255 (``Palette``, the one table).
    static func paletteColor(_ index: Int) -> RGB {
        let c = Palette.rgb(UInt8(index))
        return RGB(c.0, c.1, c.2)
    }

    /// The nearest xterm colour (16...255) to an sRGB colour.
    static func nearestPaletteIndex(_ c: RGB) -> Int { Int(Palette.nearest(c.r, c.g, c.b)) }
}

#if canImport(Glibc)
import Glibc
#endif
