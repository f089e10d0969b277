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

    /// The xterm palette's colour for an index 16...255.
    static func paletteColor(_ index: Int) -> RGB {
        if index >= 232 {
            let v = UInt8(8 + 10 * (index - 232))
            return RGB(v, v, v)
        }
        let i = index - 16
        let levels: [UInt8] = [0, 95, 135, 175, 215, 255]
        return RGB(levels[i / 36], levels[(i / 6) % 6], levels[i % 6])
    }

    /// The nearest xterm colour (16...255) to an sRGB colour.
    static func nearestPaletteIndex(_ c: RGB) -> Int {
        func level(_ v: UInt8) -> Int { v < 48 ? 0 : v < 115 ? 1 : (Int(v) - 35) / 40 }
        let cube = 16 + 36 * level(c.r) + 6 * level(c.g) + level(c.b)
        let avg = (Int(c.r) + Int(c.g) + Int(c.b)) / 3
        let grayIndex = avg > 238 ? 255 : 232 + max(0, (avg - 3) / 10)
        func dist(_ p: RGB) -> Int {
            let dr = Int(p.r) - Int(c.r), dg = Int(p.g) - Int(c.g), db = Int(p.b) - Int(c.b)
            return dr * dr + dg * dg + db * db
        }
        return dist(paletteColor(cube)) <= dist(paletteColor(grayIndex)) ? cube : grayIndex
    }
}

#if canImport(Glibc)
import Glibc
#endif
