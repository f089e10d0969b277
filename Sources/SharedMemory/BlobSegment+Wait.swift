import CAtomics
import Glibc

extension BlobSegment {
    /// Blocks until a blob newer than `sequence` is published, without polling: a
    /// shared futex on the header's `wake` word, which every publish changes (a writer
    /// makes the wake call only while the header counts sleepers; a large copying
    /// publish also moves it when it begins, and this looks again).
    ///
    /// - Parameters:
    ///   - sequence: the last sequence the caller has seen (0: none).
    ///   - timeout: how long to wait at most; nil waits for ever.
    ///   - spin: how long to spin on the sequence before sleeping in the kernel; nil
    ///     (the default) spins as ``beginVerifiedView(after:timeout:)`` does, for
    ///     ``waitSpin`` (learnt from this handle's recent waits); zero sleeps at once.
    /// - Returns: the newer published sequence.
    /// - Throws: ``SharedMemoryError/timedOut(after:)`` when the time runs out.
    public func waitForPublish(after sequence: UInt64, timeout: Duration? = nil, spin: Duration? = nil) throws(SharedMemoryError) -> UInt64 {
        // Already there: no clock, no system call.
        let wakeWord = base + SegmentLayout.wakeOffset
        let seen = publishedSequence
        if seen > sequence { return seen }
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = timeout.map { start + $0 }
        let learning = spin == nil
        let spinUntil = start + (spin ?? learntSpinBudget)
        let yielding = learning && !Sys.mayRunOnSeveralCPUs()
        while true {
            let word = catomics_load_acquire_u32(wakeWord)
            let current = publishedSequence
            if current > sequence {
                if learning { learnWaitSpin(waited: start.duration(to: clock.now), length: publishedLength(current)) }
                return current
            }
            let left = clock.now.duration(to: spinUntil)
            if left > .zero, spinOnWake(word, after: sequence, for: left, deadline: deadline, clock: clock, yielding: yielding) {
                continue
            }
            try sleepOnWake(word, after: sequence, nanoseconds: remaining(until: deadline, clock: clock, after: sequence))
        }
    }

    /// The length the slot of published blob `sequence` records, as it is now (a writer
    /// may be refilling it; only a hint, at most the capacity).
    private func publishedLength(_ sequence: UInt64) -> Int {
        let d = slotBase(Int(sequence % UInt64(SegmentLayout.slotCount)))
        return Int(min(d.load(fromByteOffset: SegmentLayout.slotLength, as: UInt64.self), UInt64(capacity)))
    }

    /// Spins while the wake word is still `word` and nothing newer than `sequence` is
    /// published, at most `budget` and never past `deadline`; whether something moved.
    /// Each look is followed by a CPU pause, or with `yielding` by a yield (a thread
    /// that may run on one CPU only: the writer may need that CPU to publish).
    func spinOnWake(_ word: UInt32, after sequence: UInt64, for budget: Duration, deadline: ContinuousClock.Instant?,
                    clock: ContinuousClock, yielding: Bool = false) -> Bool {
        let end = deadline.map { min($0, clock.now + budget) } ?? clock.now + budget
        let looks = yielding ? 1 : 32
        while clock.now < end {
            for _ in 0 ..< looks {
                if catomics_load_acquire_u32(base + SegmentLayout.wakeOffset) != word || publishedSequence > sequence {
                    return true
                }
                if yielding { Sys.yield() } else { catomics_cpu_relax() }
            }
        }
        return false
    }

    /// Sleeps until the wake word moves from `word` (a publish began or ended), a blob
    /// newer than `sequence` is published, or `nanoseconds` pass (-1: no limit); returns
    /// early, never late, so callers look again.
    func sleepOnWake(_ word: UInt32, after sequence: UInt64, nanoseconds: Int64)
        throws(SharedMemoryError)
    {
        // Counted as a sleeper first, so that a writer publishing from now on wakes us;
        // the futex returns at once if the word moved since it was read.
        let waiters = base + SegmentLayout.waitersOffset
        _ = catomics_fetch_add_u32(waiters, 1)
        let r = publishedSequence > sequence ? 0 : catomics_futex_wait(base + SegmentLayout.wakeOffset, word, nanoseconds)
        _ = catomics_fetch_add_u32(waiters, -1)
        if r != 0 && r != ETIMEDOUT && r != EINTR {
            throw .system(call: "futex", errno: .init(rawValue: r), backing: backing)
        }
    }

    /// Nanoseconds left before `deadline` (-1: none); throws the timeout when none are.
    func remaining(until deadline: ContinuousClock.Instant?, clock: ContinuousClock, after sequence: UInt64)
        throws(SharedMemoryError) -> Int64
    {
        guard let deadline else { return -1 }
        let left = Self.nanoseconds(clock.now.duration(to: deadline))
        if left <= 0 { throw timeoutResettingSpin(after: sequence) }
        return left
    }

    /// How many readers sleep in ``waitForPublish(after:timeout:spin:)`` on this segment
    /// right now, as the header counts them (a reader killed while asleep stays counted,
    /// which only costs writers a needless wake call).
    public var sleepingReaders: Int { Int(catomics_load_relaxed_u32(base + SegmentLayout.waitersOffset)) }

    /// Blocks until an object exists at `backing` (created, or moved into place), at
    /// most `timeout`; returns whether it exists. Sleeps on inotify for the folder that
    /// holds it, so a writer creating the segment wakes the waiter at once.
    public static func waitForCreation(_ backing: SegmentBacking, timeout: Duration) -> Bool {
        let ms = Int32(clamping: max(0, nanoseconds(timeout) / 1_000_000))
        Sys.waitForEntry(in: backing.parentDirectory, milliseconds: ms) { exists(backing) }
        return exists(backing)
    }

    /// A duration in whole nanoseconds, 0 for negative ones, capped far from overflow.
    static func nanoseconds(_ d: Duration) -> Int64 {
        let (s, atto) = d.components
        if s >= Int64.max / 1_000_000_000 { return Int64.max / 2 }
        return max(0, s * 1_000_000_000 + atto / 1_000_000_000)
    }
}
