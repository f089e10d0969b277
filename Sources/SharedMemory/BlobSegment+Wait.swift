import CShims
import Glibc

extension BlobSegment {
    /// Blocks until a blob newer than `sequence` is published, without polling: a
    /// shared futex on the header's `wake` word, which every publish changes.
    ///
    /// - Parameters:
    ///   - timeout: how long to wait at most; nil waits for ever.
    ///   - spin: how long to spin on the sequence before sleeping in the kernel; a
    ///     latency-critical reader on an idle core trades CPU for microseconds.
    /// - Returns: the newer published sequence.
    /// - Throws: ``SharedMemoryError/timedOut(after:)`` when the time runs out.
    public func waitForPublish(after sequence: UInt64, timeout: Duration? = nil, spin: Duration = .zero) throws(SharedMemoryError) -> UInt64 {
        let start = Sys.monotonicNanoseconds()
        let deadline = timeout.map { start + Self.nanoseconds($0) }
        let spinUntil = start + Self.nanoseconds(spin)
        let wakeWord = base + Layout.wakeOffset
        while true {
            let word = cshims_load_acquire_u32(wakeWord)
            let current = publishedSequence
            if current > sequence { return current }
            let now = Sys.monotonicNanoseconds()
            if now < spinUntil {
                cshims_cpu_relax()
                continue
            }
            var remaining: Int64 = -1
            if let deadline {
                remaining = deadline - now
                if remaining <= 0 { throw .timedOut(after: sequence) }
            }
            let r = cshims_futex_wait(wakeWord, word, remaining)
            if r != 0 && r != ETIMEDOUT && r != EINTR {
                throw .system(call: "futex", errno: r, backing: backing)
            }
        }
    }

    static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        if s >= Int64.max / 1_000_000_000 { return Int64.max / 2 }
        return max(0, s * 1_000_000_000 + atto / 1_000_000_000)
    }
}
