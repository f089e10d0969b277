/// A file format recognised by its leading bytes.
public enum ImageFormat: String, Sendable, CaseIterable {
    case png = "PNG"
    case jpeg = "JPEG"
    case gif = "GIF"
    case bmp = "BMP"
    case webp = "WebP"
    case tiff = "TIFF"
    case pdf = "PDF"
    case zip = "ZIP"
    case gzip = "gzip"
    case elf = "ELF"
    case unknown = "unknown"

    /// Whether this tool can decode and preview it.
    public var isPreviewable: Bool { self == .png || self == .jpeg }

    /// Identifies content by its magic number.
    public static func detect(_ bytes: UnsafeRawBufferPointer) -> ImageFormat {
        func starts(_ magic: [UInt8], at offset: Int = 0) -> Bool {
            guard bytes.count >= offset + magic.count else { return false }
            for (i, m) in magic.enumerated() where bytes[offset + i] != m { return false }
            return true
        }
        if starts([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) || looksLikeDamagedPNG(bytes) { return .png }
        if starts([0xFF, 0xD8, 0xFF]) { return .jpeg }
        if starts(Array("GIF87a".utf8)) || starts(Array("GIF89a".utf8)) { return .gif }
        if starts([0x42, 0x4D]) && bytes.count >= 26 { return .bmp }
        if starts(Array("RIFF".utf8)) && starts(Array("WEBP".utf8), at: 8) { return .webp }
        if starts([0x49, 0x49, 0x2A, 0x00]) || starts([0x4D, 0x4D, 0x00, 0x2A]) { return .tiff }
        if starts(Array("%PDF-".utf8)) { return .pdf }
        if starts([0x50, 0x4B, 0x03, 0x04]) { return .zip }
        if starts([0x1F, 0x8B]) { return .gzip }
        if starts([0x7F, 0x45, 0x4C, 0x46]) { return .elf }
        return .unknown
    }

    /// A PNG signature with one byte damaged (bit 7 stripped, a letter changed or
    /// lower-cased, line endings converted): handed to libpng so it can say what is wrong.
    static func looksLikeDamagedPNG(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.count >= 8, bytes[0] == 0x89 || bytes[0] == 0x09 else { return false }
        let want: [UInt8] = [0x50, 0x4E, 0x47]
        let matches = (0 ..< 3).filter { bytes[1 + $0] | 0x20 == want[$0] | 0x20 }.count
        return matches >= 2
    }

    /// Identifies an array's content.
    public static func detect(_ bytes: [UInt8]) -> ImageFormat {
        bytes.withUnsafeBytes { detect($0) }
    }
}
