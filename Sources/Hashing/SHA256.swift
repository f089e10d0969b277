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

extension SHA256 {
    /// An incremental SHA-256, for hashing a file chunk by chunk as it is copied.
    /// The corresponding C functions are `EVP_DigestInit_ex`, `EVP_DigestUpdate` and
    /// `EVP_DigestFinal_ex`.
    public final class Hasher {
        private let context: OpaquePointer

        /// Starts a new digest.
        public init() {
            guard let c = EVP_MD_CTX_new(), EVP_DigestInit_ex(c, EVP_sha256(), nil) == 1 else {
                fatalError("EVP_DigestInit_ex(SHA-256) failed")
            }
            context = c
        }

        /// Lends the `EVP_MD_CTX *` to C code that updates it.
        public func withContext<R>(_ body: (OpaquePointer) -> R) -> R { body(context) }

        /// Adds bytes.
        public func update(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count > 0 else { return }
            precondition(EVP_DigestUpdate(context, bytes.baseAddress, bytes.count) == 1, "EVP_DigestUpdate failed")
        }

        /// The digest of everything added, as 64 lowercase hex digits; call it once.
        public func finalizeHex() -> String {
            var out = [UInt8](repeating: 0, count: 32)
            var length: UInt32 = 0
            let ok = out.withUnsafeMutableBufferPointer { EVP_DigestFinal_ex(context, $0.baseAddress, &length) }
            precondition(ok == 1 && length == 32, "EVP_DigestFinal_ex failed")
            return hexString(out)
        }

        deinit { EVP_MD_CTX_free(context) }
    }
}
