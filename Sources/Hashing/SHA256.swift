import CCrypto

/// SHA-256 through OpenSSL's libcrypto (which uses the CPU's SHA extensions).
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        let ok = out.withUnsafeMutableBufferPointer { dst in
            EVP_Digest(bytes.baseAddress, bytes.count, dst.baseAddress, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1 && length == 32, "EVP_Digest(SHA-256) failed")
        return out
    }

    /// The digest as 64 lowercase hex digits, as `sha256sum` prints it.
    public static func hex(_ bytes: UnsafeRawBufferPointer) -> String {
        hexString(digest(bytes))
    }

    /// The digest of an array as 64 lowercase hex digits.
    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.withUnsafeBytes { hex($0) }
    }
}

/// Lowercase hex of arbitrary bytes.
public func hexString(_ bytes: some Sequence<UInt8>) -> String {
    let digits = Array("0123456789abcdef".utf8)
    var out = [UInt8]()
    for b in bytes {
        out.append(digits[Int(b >> 4)])
        out.append(digits[Int(b & 0xF)])
    }
    return String(decoding: out, as: UTF8.self)
}
