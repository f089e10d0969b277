/// A minimal PNG encoder for tests (stored deflate blocks, so no zlib needed): makes
/// images of any type, depth and size inside the test instead of committing them.
public enum PNGWriter {
    /// Encodes raw scanlines (without filter bytes) of the given type and depth.
    public static func encode(width: Int, height: Int, colorType: UInt8, bitDepth: UInt8, rows: [[UInt8]],
                              palette: [(UInt8, UInt8, UInt8)]? = nil, declaredWidth: Int? = nil,
                              declaredHeight: Int? = nil, interlaced: Bool = false) -> [UInt8] {
        var raw = [UInt8]()
        for row in rows { raw.append(0); raw += row }
        var out: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        var ihdr = [UInt8]()
        ihdr += be32(UInt32(declaredWidth ?? width)) + be32(UInt32(declaredHeight ?? height))
        ihdr += [bitDepth, colorType, 0, 0, interlaced ? 1 : 0]
        out += chunk("IHDR", ihdr)
        if let palette { out += chunk("PLTE", palette.flatMap { [$0.0, $0.1, $0.2] }) }
        out += chunk("IDAT", zlibStored(raw))
        out += chunk("IEND", [])
        return out
    }

    /// An 8-bit RGBA image from a pixel function.
    public static func rgba(width: Int, height: Int, _ pixel: (Int, Int) -> (UInt8, UInt8, UInt8, UInt8)) -> [UInt8] {
        let rows = (0 ..< height).map { y in (0 ..< width).flatMap { x -> [UInt8] in let p = pixel(x, y); return [p.0, p.1, p.2, p.3] } }
        return encode(width: width, height: height, colorType: 6, bitDepth: 8, rows: rows)
    }

    /// An 8-bit RGB image from a pixel function.
    public static func rgb(width: Int, height: Int, _ pixel: (Int, Int) -> (UInt8, UInt8, UInt8)) -> [UInt8] {
        let rows = (0 ..< height).map { y in (0 ..< width).flatMap { x -> [UInt8] in let p = pixel(x, y); return [p.0, p.1, p.2] } }
        return encode(width: width, height: height, colorType: 2, bitDepth: 8, rows: rows)
    }

    static func be32(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }

    public static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let t = Array(type.utf8)
        return be32(UInt32(data.count)) + t + data + be32(crc32(t + data))
    }

    static func zlibStored(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x78, 0x01]
        var i = 0
        repeat {
            let n = min(65535, data.count - i)
            let final: UInt8 = i + n >= data.count ? 1 : 0
            out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[i ..< i + n]
            i += n
        } while i < data.count
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return out + be32(b << 16 | a)
    }

    static let crcTable: [UInt32] = (0 ..< 256).map { n in
        var c = UInt32(n)
        for _ in 0 ..< 8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    static func crc32(_ data: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for byte in data { c = crcTable[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
