import CXXHash

/// XXH3-64 (seed 0) through libxxhash: the segment's payload checksum, cheaper than a memcpy.
public enum XXH3 {
    /// The 64-bit hash of `bytes`.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        #if arch(x86_64) || arch(i386)
        XXH3_64bits_dispatch(bytes.baseAddress, bytes.count)
        #else
        XXH3_64bits(bytes.baseAddress, bytes.count)
        #endif
    }

    /// An incremental hasher, for hashing while copying in cache-sized chunks.
    public struct Hasher: ~Copyable {
        @usableFromInline let state: OpaquePointer

        /// Starts a new hash.
        public init() {
            guard let s = XXH3_createState() else { fatalError("XXH3_createState: out of memory") }
            state = s
            XXH3_64bits_reset(state)
        }

        /// Adds bytes to the hash.
        @inlinable
        public mutating func update(_ bytes: UnsafeRawBufferPointer) {
            #if arch(x86_64) || arch(i386)
            XXH3_64bits_update_dispatch(state, bytes.baseAddress, bytes.count)
            #else
            XXH3_64bits_update(state, bytes.baseAddress, bytes.count)
            #endif
        }

        /// Lends the libxxhash state (`XXH3_state_t *`) to C code that updates it.
        public func withState<R>(_ body: (OpaquePointer) -> R) -> R { body(state) }

        /// The hash of everything added so far.
        public func finalize() -> UInt64 { XXH3_64bits_digest(state) }

        deinit { XXH3_freeState(state) }
    }
}
