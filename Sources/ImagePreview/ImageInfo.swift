/// What a decoder learned from an image's header.
public struct ImageInfo: Equatable, Sendable {
    /// The container format.
    public var format: ImageFormat
    /// Width in pixels.
    public var width: Int
    /// Height in pixels.
    public var height: Int
    /// Bits per sample.
    public var bitDepth: Int
    /// Colour type in words: "grayscale", "RGB", "palette", "grayscale+alpha", "RGBA";
    /// for JPEG "grayscale", "YCbCr", "CMYK".
    public var colorType: String
    /// The PNG colour-type number (0, 2, 3, 4, 6), or the JPEG component count.
    public var colorTypeCode: Int
    /// PNG Adam7 interlacing, or a progressive JPEG: the pixels arrive in several passes.
    public var interlaced: Bool
    /// PNG tRNS transparency.
    public var hasTransparency: Bool

    /// How the passes are called: "interlaced" (PNG's Adam7), "progressive" (a JPEG's
    /// scans), nil for a single pass. The one place that names them.
    public var passes: String? { interlaced ? (format == .jpeg ? "progressive" : "interlaced") : nil }

    /// "PNG 160x120, 8-bit RGB" and the like.
    public var summary: String {
        var s = "\(format.rawValue) \(width)x\(height), \(bitDepth)-bit \(colorType)"
        if let passes { s += ", " + passes }
        if hasTransparency { s += ", tRNS" }
        return s
    }
}

/// Why an image could not be inspected or previewed.
public enum ImageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The decoder rejected the data (libpng's or TurboJPEG's message).
    case decodeFailed(format: ImageFormat, message: String)
    /// The header declares more pixels than allowed.
    case tooManyPixels(width: Int, height: Int, limit: Int)
    /// The format is recognised (or not) but cannot be previewed.
    case unsupported(ImageFormat)
    /// libpng could not encode a picture (its message).
    case encodeFailed(message: String)

    /// One sentence.
    public var description: String {
        switch self {
        case let .decodeFailed(format, message): return "invalid \(format.rawValue) data: \(message)"
        case let .tooManyPixels(w, h, limit):
            return "image of \(w)x\(h) (\(w * h) pixels) exceeds the limit of \(limit) pixels (see --max-pixels)"
        case let .encodeFailed(message): return "could not encode the PNG: \(message)"
        case let .unsupported(format):
            return format == .unknown ? "unknown content: no preview" : "\(format.rawValue) content: no preview (PNG and JPEG only)"
        }
    }
}
