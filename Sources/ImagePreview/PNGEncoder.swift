import CImage

/// Encoding pictures as PNG (libpng), for what the tools write: `compare --diff`'s
/// difference picture.
public enum PNGEncoder {
    /// A PNG of 8-bit RGBA rows (`width * 4` bytes each, top first); `opaque` leaves the
    /// alpha bytes out (an RGB PNG, a quarter smaller to write).
    public static func rgba8(_ pixels: [UInt8], width: Int, height: Int, opaque: Bool = false) throws(ImageError) -> [UInt8] {
        precondition(pixels.count == width * height * 4, "rgba8: \(pixels.count) bytes for \(width)x\(height)")
        var err = [CChar](repeating: 0, count: 256)
        var out: UnsafeMutablePointer<UInt8>?
        var size = 0
        let rc = pixels.withUnsafeBufferPointer {
            cimage_png_encode_rgba8($0.baseAddress, UInt32(width), UInt32(height), opaque ? 1 : 0, &out, &size, &err, err.count)
        }
        guard rc == 0, let out else { throw .encodeFailed(message: Preview.message(err)) }
        defer { cimage_free(out) }
        return Array(UnsafeBufferPointer(start: out, count: size))
    }
}
