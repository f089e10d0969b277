/// File names are bytes, not necessarily UTF-8. A name's bytes that are not valid UTF-8
/// are kept inside a Swift `String` as private-use scalars (U+10EF00 + byte, in Plane 16's
/// private use area), so a name read from the system or the command line can be handed
/// back to the system unchanged; shown, they read `\xNN`.
public enum RawPath {
    /// The first of the 256 scalars that stand for raw bytes.
    static let base: UInt32 = 0x10EF00

    /// A string for `bytes`: valid UTF-8 as is, every other byte as its stand-in scalar.
    public static func decode(_ bytes: some Collection<UInt8>) -> String {
        let array = Array(bytes)
        if let valid = String(validating: array, as: UTF8.self) { return valid }
        var out = String.UnicodeScalarView()
        var i = 0
        while i < array.count {
            // The longest valid UTF-8 sequence starting here (1 to 4 bytes), else one raw byte.
            var taken = false
            for length in 1 ... 4 where i + length <= array.count {
                if let s = String(validating: array[i ..< i + length], as: UTF8.self), s.unicodeScalars.count == 1 {
                    out.append(s.unicodeScalars.first!)
                    i += length
                    taken = true
                    break
                }
            }
            if !taken {
                out.append(Unicode.Scalar(base + UInt32(array[i]))!)
                i += 1
            }
        }
        return String(out)
    }

    /// The bytes a string stands for (stand-in scalars back to their raw bytes).
    public static func encode(_ text: String) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            if let byte = rawByte(scalar) { out.append(byte) } else { out += Array(String(scalar).utf8) }
        }
        return out
    }

    /// The raw byte a scalar stands for, if it is a stand-in.
    public static func rawByte(_ scalar: Unicode.Scalar) -> UInt8? {
        scalar.value >= base && scalar.value <= base + 0xFF ? UInt8(scalar.value - base) : nil
    }

    /// The name as valid UTF-8 text for a label: stand-ins written `\xNN`.
    public static func label(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if let byte = rawByte(scalar) {
                let h = String(byte, radix: 16)
                out += "\\x\(h.count == 1 ? "0" + h : h)".unicodeScalars
            } else {
                out.append(scalar)
            }
        }
        return String(out)
    }

    /// Calls `body` with the name's bytes as a NUL-terminated C string.
    public static func withCString<R>(_ text: String, _ body: (UnsafePointer<CChar>) throws -> R) rethrows -> R {
        var bytes = encode(text).map { CChar(bitPattern: $0) }
        bytes.append(0)
        return try bytes.withUnsafeBufferPointer { try body($0.baseAddress!) }
    }
}
