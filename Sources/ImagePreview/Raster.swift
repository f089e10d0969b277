/// An image scaled to the pixels a terminal will show: 8-bit sRGB, RGB, row-major,
/// transparent pixels already composited over the background.
public struct Raster: Equatable, Sendable {
    /// Size in pixels.
    public let width: Int, height: Int
    /// `width * height * 3` bytes.
    public let rgb: [UInt8]

    /// Creates a raster (the bytes must be `width * height * 3`).
    public init(width: Int, height: Int, rgb: [UInt8]) {
        precondition(rgb.count == width * height * 3)
        self.width = width
        self.height = height
        self.rgb = rgb
    }
}

extension Preview {
    /// The size an image of `width` x `height` pixels is shown at in a box of
    /// `boxWidth` x `boxHeight` pixels: as large as fits, aspect kept, never enlarged.
    public static func rasterSize(width: Int, height: Int, boxWidth: Int, boxHeight: Int) -> (width: Int, height: Int) {
        let w = Double(max(width, 1)), h = Double(max(height, 1))
        let scale = min(1, Double(max(boxWidth, 1)) / w, Double(max(boxHeight, 1)) / h)
        return (max(1, Int((w * scale).rounded(.down))), max(1, Int((h * scale).rounded(.down))))
    }

    /// Decodes and scales an image for a pixel box (a terminal's cells times the cell
    /// size): the same linear-light box filter and alpha compositing as the character
    /// preview, one output pixel per terminal pixel.
    ///
    /// - Throws: ``ImageError`` as ``render(_:options:cancelled:)`` does; also when the
    ///   scaled image's filter would need more than `options.maxMemory`.
    /// - Parameter exact: fill the box exactly, aspect not kept (a reference grid for
    ///   measuring another renderer's cells).
    public static func raster(_ bytes: UnsafeRawBufferPointer, boxWidth: Int, boxHeight: Int, options: PreviewOptions,
                              exact: Bool = false,
                              cancelled: @escaping () -> Bool = { false }) throws(ImageError) -> (ImageInfo, Raster) {
        let info = try inspect(bytes)
        guard info.width > 0, info.height > 0 else { throw .decodeFailed(format: info.format, message: "empty image") }
        if info.width.multipliedReportingOverflow(by: info.height).overflow || info.width * info.height > options.maxPixels {
            throw .tooManyPixels(width: info.width, height: info.height, limit: options.maxPixels)
        }
        let (w, h) = exact ? (min(max(1, boxWidth), info.width), min(max(1, boxHeight), info.height))
            : rasterSize(width: info.width, height: info.height, boxWidth: boxWidth, boxHeight: boxHeight)
        // The filter's sums and counts when the whole grid is kept (an interlaced PNG):
        // 36 bytes per output pixel. Checked for every image, so the limit does not depend
        // on how the file was written.
        if w * h * 36 > options.maxMemory {
            throw .decodeFailed(format: info.format, message: "a \(w)x\(h) pixel preview needs \(w * h * 36 >> 20) MiB, "
                                + "over the \(options.maxMemory >> 20) MiB budget")
        }
        let bg = (ColorMath.toLinear[Int(options.background.r)], ColorMath.toLinear[Int(options.background.g)],
                  ColorMath.toLinear[Int(options.background.b)])
        // Each output row is converted as soon as it is complete, beside the decode.
        final class Pixels { var rgb: [UInt8] = [] }
        let pixels = Pixels()
        pixels.rgb = [UInt8](repeating: 0, count: w * h * 3)
        _ = try accumulate(bytes, info, columns: w, pixelRows: h, options: options, cancelled: cancelled) { acc, y in
            pixels.rgb.withUnsafeMutableBufferPointer { out in
                for x in 0 ..< w {
                    let c = acc.linearColor(x: x, y: y, background: bg)
                    let o = (y * w + x) * 3
                    out[o] = ColorMath.encode(c.0)
                    out[o + 1] = ColorMath.encode(c.1)
                    out[o + 2] = ColorMath.encode(c.2)
                }
            }
        }
        let rgb = pixels.rgb
        return (info, Raster(width: w, height: h, rgb: rgb))
    }
}
