import CCrypto

/// SHA-256 through OpenSSL's libcrypto (which uses the CPU's SHA extensions), loaded on
/// first use (CCrypto). A machine without libcrypto 3 stops here with a message: the
/// package's set-up installs it (libssl-dev).
public enum SHA256 {
    /// The 32-byte digest of `bytes`.
    public static func digest(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = out.withUnsafeMutableBufferPointer { ccrypto_sha256(bytes.baseAddress, bytes.count, $0.baseAddress) }
        precondition(ok == 1, unavailable)
        return out
    }

    static let unavailable = "SHA-256 failed: libcrypto.so.3 could not be loaded (apt-get install libssl3)"

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
    /// An incremental SHA-256, for hashing a file chunk by chunk as it is copied (an
    /// `EVP_MD_CTX` of libcrypto, through CCrypto's `ccrypto_sha256_*`).
    public final class Hasher {
        private let context: UnsafeMutableRawPointer

        /// Starts a new digest.
        public init() {
            guard let c = ccrypto_sha256_new() else { fatalError(SHA256.unavailable) }
            context = c
        }

        /// Lends the context to C code that updates it (`catomics_guarded_sha256_update`).
        public func withContext<R>(_ body: (UnsafeMutableRawPointer) -> R) -> R { body(context) }

        /// Adds bytes.
        public func update(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count > 0 else { return }
            precondition(ccrypto_sha256_update(context, bytes.baseAddress, bytes.count) == 1, "SHA-256 update failed")
        }

        /// The digest of everything added, as 64 lowercase hex digits; call it once.
        public func finalizeHex() -> String {
            var out = [UInt8](repeating: 0, count: 32)
            let ok = out.withUnsafeMutableBufferPointer { ccrypto_sha256_final(context, $0.baseAddress) }
            precondition(ok == 1, "SHA-256 final failed")
            return hexString(out)
        }

        deinit { ccrypto_sha256_free(context) }
    }
}
