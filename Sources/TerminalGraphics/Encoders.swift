import CSixel
import ImagePreview

/// Escape sequences that draw a ``Raster`` (or an image file) as real pixels. Every byte
/// of them is made here: image data travels as base64 or sixel data, never as text a
/// terminal could interpret otherwise.
public enum GraphicsEncoder {
    /// The sixel form of `raster` (DCS ... ST), through libsixel (loaded on first use): a
    /// palette of up to 256 colours built from the image, Floyd-Steinberg dithering. Nil if
    /// libsixel cannot be loaded or fails.
    public static func sixel(_ raster: Raster) -> [UInt8]? {
        final class Sink { var bytes: [UInt8] = [] }
        let sink = Sink()
        let write: csixel_sink = { data, size, context in
            let sink = Unmanaged<Sink>.fromOpaque(context!).takeUnretainedValue()
            data!.withMemoryRebound(to: UInt8.self, capacity: Int(size)) {
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: $0, count: Int(size)))
            }
        }
        var pixels = raster.rgb
        let rc = withExtendedLifetime(sink) {
            pixels.withUnsafeMutableBufferPointer {
                csixel_encode_rgb($0.baseAddress, Int32(raster.width), Int32(raster.height), write,
                                  Unmanaged.passUnretained(sink).toOpaque())
            }
        }
        return rc == 0 ? sink.bytes : nil
    }

    /// The kitty graphics protocol form of `raster`: raw 24-bit RGB (`f=24`), shown at
    /// once (`a=T`) at its own pixel size, in 4096-byte base64 chunks, with image `id`
    /// (so an app can delete it later: ``kittyDelete(id:)``) and no replies (`q=2`).
    public static func kitty(_ raster: Raster, id: UInt32 = 1) -> String {
        let payload = Base64.encode(raster.rgb)
        var out = ""
        out.reserveCapacity(payload.count + payload.count / 4096 * 24 + 64)
        var start = payload.startIndex
        var first = true
        repeat {
            let end = payload.index(start, offsetBy: 4096, limitedBy: payload.endIndex) ?? payload.endIndex
            let more = end < payload.endIndex ? 1 : 0
            let control = first ? "a=T,f=24,s=\(raster.width),v=\(raster.height),i=\(id),q=2,m=\(more)" : "m=\(more)"
            out += "\u{1b}_G\(control);\(payload[start ..< end])\u{1b}\\"
            start = end
            first = false
        } while start < payload.endIndex
        return out
    }

    /// Why an image could not be encoded for a pixel protocol.
    public enum EncodeError: Error, Equatable, Sendable, CustomStringConvertible {
        /// libsixel is not installed, or refused the image.
        case sixelUnavailable

        public var description: String {
            "libsixel could not be loaded or could not encode the image (apt-get install libsixel1)"
        }
    }

    /// The one step from a raster to the bytes that draw it, for every pixel protocol:
    /// sixel (libsixel), kitty (image `kittyID`), or iTerm2 (which decodes `file`, the
    /// image's own bytes, itself, over `columns` x `rows` cells). `preview` and both apps
    /// draw through it.
    public static func draw(_ raster: Raster, as mode: GraphicsMode, kittyID: UInt32 = 1, file: [UInt8] = [],
                            columns: Int = 0, rows: Int = 0) throws(EncodeError) -> [UInt8] {
        switch mode {
        case .sixel:
            guard let bytes = sixel(raster) else { throw .sixelUnavailable }
            return bytes
        case .kitty: return Array(kitty(raster, id: kittyID).utf8)
        default: return Array(iterm(file: file, columns: columns, rows: rows).utf8)
        }
    }

    /// Deletes a kitty image by id (and frees its data).
    public static func kittyDelete(id: UInt32) -> String { "\u{1b}_Ga=d,d=I,i=\(id),q=2\u{1b}\\" }

    /// The iTerm2 inline-image form of an image file's bytes (PNG or JPEG, decoded by the
    /// terminal), fitted to `columns` x `rows` cells with its aspect kept.
    public static func iterm(file: [UInt8], columns: Int, rows: Int) -> String {
        "\u{1b}]1337;File=inline=1;size=\(file.count);width=\(columns);height=\(rows);preserveAspectRatio=1:"
            + Base64.encode(file) + "\u{07}"
    }
}

/// RFC 4648 base64 (no line breaks), for the kitty and iTerm2 protocols.
public enum Base64 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Encodes bytes.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out = [UInt8]()
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i + 2 < bytes.count {
            let v = UInt32(bytes[i]) << 16 | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2])
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], alphabet[Int(v >> 6 & 63)], alphabet[Int(v & 63)]]
            i += 3
        }
        let rest = bytes.count - i
        if rest > 0 {
            let v = UInt32(bytes[i]) << 16 | (rest == 2 ? UInt32(bytes[i + 1]) << 8 : 0)
            out += [alphabet[Int(v >> 18)], alphabet[Int(v >> 12 & 63)], rest == 2 ? alphabet[Int(v >> 6 & 63)] : 61, 61]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes base64 (padding optional); nil on any other character.
    public static func decode(_ text: Substring) -> [UInt8]? {
        var table = [Int16](repeating: -1, count: 256)
        for (i, c) in alphabet.enumerated() { table[Int(c)] = Int16(i) }
        var out = [UInt8]()
        var acc: UInt32 = 0, bits = 0
        for c in text.utf8 where c != 61 {
            let v = table[Int(c)]
            if v < 0 { return nil }
            acc = acc << 6 | UInt32(v)
            bits += 6
            if bits >= 8 {
                bits -= 8
                out.append(UInt8(acc >> UInt32(bits) & 0xFF))
            }
        }
        return out
    }
}
