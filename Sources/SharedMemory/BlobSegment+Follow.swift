import CAtomics
import Hashing

extension BlobSegment {
    /// Payloads from this size up are worth following (``beginVerifiedView(after:timeout:)``).
    static let followThreshold = 1 << 20

    /// Whether readers in this process follow copying publishes: `SHAREDBLOB_FOLLOW` is
    /// not 0 and this thread may run on more than one CPU.
    public static var readersFollow: Bool { EnvironmentSwitches.follow && Sys.mayRunOnSeveralCPUs() }

    /// Waits for a blob newer than `sequence` and returns a verified view of it: what
    /// ``waitForPublish(after:timeout:spin:)`` then ``beginVerifiedView()`` give, sooner
    /// for large payloads. When a copying publish of at least 1 MiB begins, the writer
    /// wakes the readers and reports how far its copy has got; this reader then hashes
    /// the payload behind the copy, so the view is verified about when the publish ends
    /// instead of one more pass over the bytes later. The checks are those of a view
    /// taken afterwards (the checksum, the slot's sequence before and after); whenever
    /// following leaves any doubt (a writer restarted the slot, the published length is
    /// not what was hashed, the checksum does not match) the published payload is
    /// verified again from its start, as ``beginVerifiedView()`` does.
    ///
    /// Readers follow only when they may run on another CPU than the writer, and not
    /// with `SHAREDBLOB_FOLLOW=0`. While a writer's progress stalls (it was descheduled
    /// or died), the follower sleeps on the wake word, longer each time (at most 0.1 s).
    /// What a writer that does not follow the protocol can cost it is bounded: it yields
    /// at most 2 ms + 0.5 ms per MiB per fill, and hashes at most 8 fills per call (each
    /// at most the capacity) before it only waits.
    ///
    /// With nothing new and nothing to follow, it watches the segment for ``waitSpin``
    /// before its first sleep, so a blob due any moment costs neither side a wake-up; how
    /// long is learnt from this handle's recent waits (``waitSpin``).
    ///
    /// - Parameters:
    ///   - sequence: the last sequence the caller has seen (0: none).
    ///   - timeout: how long to wait at most; nil waits for ever.
    /// - Throws: ``SharedMemoryError/timedOut(after:)`` when the time runs out, and what
    ///   ``beginVerifiedView()`` throws.
    public func beginVerifiedView(after sequence: UInt64, timeout: Duration? = nil) throws(SharedMemoryError) -> HeldView {
        let clock = ContinuousClock()
        // The time starts at the first look that finds nothing: a blob already there costs
        // no clock read (from C and Python, most calls).
        var deadline: ContinuousClock.Instant?
        var waitedSince: ContinuousClock.Instant?  // the first look that found nothing
        var followsLeft: Int?  // decided at the first fill
        var spun = false
        while true {
            let word = catomics_load_acquire_u32(base + SegmentLayout.wakeOffset)
            if publishedSequence > sequence, let held = try beginVerifiedView() {
                if let waitedSince { learnWaitSpin(waited: waitedSince.duration(to: clock.now), length: held.metadata.length) }
                return held
            }
            if waitedSince == nil {
                let now = clock.now
                waitedSince = now
                if let timeout { deadline = now + timeout }
            }
            if let fill = currentFill(after: sequence) {
                _ = try remaining(until: deadline, clock: clock, after: sequence)
                let left = followsLeft ?? (Self.readersFollow ? Self.maxFollows : 0)
                followsLeft = max(0, left - 1)
                if left > 0 {  // else fills keep restarting (or no second CPU): wait for the end
                    if let held = try follow(fill, after: sequence, deadline: deadline, clock: clock) {
                        learnWaitSpin(waited: waitedSince!.duration(to: clock.now), length: held.metadata.length)
                        return held
                    }
                    continue  // followed into doubt: look again (a full verification, or a new fill)
                }
            }
            if !spun {  // once a call, before its first sleep
                spun = true
                let budget = learntSpinBudget
                if budget > .zero,
                   spinOnWake(word, after: sequence, for: budget, deadline: deadline, clock: clock,
                              yielding: !Sys.mayRunOnSeveralCPUs()) {
                    continue
                }
            }
            try sleepOnWake(word, after: sequence, nanoseconds: remaining(until: deadline, clock: clock, after: sequence))
        }
    }

    /// ``withVerifiedView(_:)`` for a blob newer than `sequence`: waits for it as
    /// ``beginVerifiedView(after:timeout:)`` does (following a large publish), then calls
    /// `body` with the view. If a writer reuses the slot while `body` runs, its result is
    /// discarded and it runs again as ``withVerifiedView(_:)`` would, on the latest blob;
    /// the same rules for `body` apply.
    public func withVerifiedView<R>(
        after sequence: UInt64, timeout: Duration? = nil, _ body: (BlobMetadata, UnsafeRawBufferPointer) -> R
    ) throws(SharedMemoryError) -> VerifiedView<R> {
        let held = try beginVerifiedView(after: sequence, timeout: timeout)
        let result = body(held.metadata, held.bytes)
        if isStillValid(held) { return VerifiedView(metadata: held.metadata, result: result, source: .mapping, overwritten: 0) }
        guard var again = try withVerifiedView(body) else { throw .busy }  // a blob was published: never nil
        again.overwritten += 1
        return again
    }

    /// A publish under way that readers may follow.
    struct Fill {
        let descriptor: UnsafeMutableRawPointer
        let tag: UInt64
        let length: Int
        let sequence: UInt64
        let payload: UnsafeRawPointer
    }

    /// The publish of the blob after `sequence`, if it is under way, reports progress and
    /// is large enough to follow.
    private func currentFill(after sequence: UInt64) -> Fill? {
        let published = publishedSequence
        guard published == sequence else { return nil }
        let next = published &+ 1
        let slot = Int(next % UInt64(SegmentLayout.slotCount))
        let d = slotBase(slot)
        guard catomics_load_acquire_u64(d + SegmentLayout.slotSequence) == SegmentLayout.busy else { return nil }
        let tag = catomics_load_acquire_u64(d + SegmentLayout.slotFill)
        let length = d.load(fromByteOffset: SegmentLayout.slotLength, as: UInt64.self)
        guard tag != 0, length >= UInt64(Self.followThreshold), length <= UInt64(capacity),
              publishedSequence == published else { return nil }
        let payload = UnsafeRawPointer(base + SegmentLayout.payloadOffset(capacity: capacity, slot: slot))
        return Fill(descriptor: d, tag: tag, length: Int(length), sequence: next, payload: payload)
    }

    /// Hashes `fill`'s payload as its writer reports it written, then checks the finished
    /// blob; nil when that leaves any doubt (the caller looks again).
    private func follow(_ fill: Fill, after sequence: UInt64, deadline: ContinuousClock.Instant?, clock: ContinuousClock)
        throws(SharedMemoryError) -> HeldView?
    {
        let d = fill.descriptor
        populateOnce(fill.payload, count: fill.length, forWriting: false)
        let hasher = XXH3.Hasher()
        var done = 0
        var idleSince: ContinuousClock.Instant?
        var nap = Self.followFirstNap
        // Yielding (and naps starting over on progress) only as long as an honest copy of
        // this length could take: a writer dripping bytes gets naps that only grow.
        let started = clock.now
        let spinBudget = Self.followSpinBudget(length: fill.length)
        func hash(upTo end: Int) throws(SharedMemoryError) {
            let from = fill.payload + done, count = end - done
            if hasher.withState({ catomics_guarded_xxh3_update(UnsafeMutableRawPointer($0), from, count) }) != 0 {
                throw .shrunk(backing)
            }
            done = end
        }
        while true {
            // Read before the state: a publish ending after this moves it, so a nap returns.
            let word = catomics_load_acquire_u32(base + SegmentLayout.wakeOffset)
            let progress = Int(min(catomics_load_acquire_u64(d + SegmentLayout.slotProgress), UInt64(fill.length)))
            if progress > done {
                try hash(upTo: progress)
                idleSince = nil
                if started.duration(to: clock.now) < spinBudget { nap = Self.followFirstNap }
                catomics_fence_acquire()
                if catomics_load_acquire_u64(d + SegmentLayout.slotFill) != fill.tag { return nil }  // restarted
                continue
            }
            let state = catomics_load_acquire_u64(d + SegmentLayout.slotSequence)
            // Finished only once published: a writer killed between the slot's sequence and
            // the header's never published it, and its successor fills the slot again.
            if state == fill.sequence && publishedSequence >= fill.sequence { break }
            if (state != SegmentLayout.busy && state != fill.sequence)
                || catomics_load_acquire_u64(d + SegmentLayout.slotFill) != fill.tag { return nil }
            let now = clock.now
            if let deadline, now >= deadline { throw timeoutResettingSpin(after: sequence) }
            guard let since = idleSince else { idleSince = now; continue }
            if since.duration(to: now) < Self.followSpin && started.duration(to: now) < spinBudget { Sys.yield(); continue }
            // The copy stalled: sleep until the wake word moves (the publish ends), or a while.
            var limit = nap
            if let deadline { limit = min(limit, max(1, Self.nanoseconds(now.duration(to: deadline)))) }
            try sleepOnWake(word, after: fill.sequence, nanoseconds: limit)
            nap = min(nap * 2, 100_000_000)
        }
        guard let (metadata, payload) = try contents(of: d, sequence: fill.sequence),
              payload == fill.payload, metadata.length >= done else { return nil }
        if metadata.length > done { try hash(upTo: metadata.length) }
        let actual = hasher.finalize()
        catomics_fence_acquire()
        guard catomics_load_acquire_u64(d + SegmentLayout.slotFill) == fill.tag, isStable(d, fill.sequence),
              actual == metadata.checksum else { return nil }
        return HeldView(metadata: metadata, bytes: UnsafeRawBufferPointer(start: payload, count: metadata.length),
                        descriptor: d, followed: true)
    }

    /// How long a follower yields while the writer's progress does not move before it
    /// sleeps: a copy reports every 256 KiB, some 30 µs apart.
    static let followSpin: Duration = .microseconds(200)

    /// A stalled follower's first nap (nanoseconds); each further one doubles, and any
    /// progress within the spin budget starts over from this.
    static let followFirstNap: Int64 = 50_000

    /// How long a follower may yield for a publish of `length` bytes in all: 2 ms and
    /// 0.5 ms per MiB, some four times what copying it takes here.
    static func followSpinBudget(length: Int) -> Duration {
        .microseconds(2000 + 500 * (length >> 20))
    }

    /// How long a waiting reader spins on the wake word before it first sleeps in the
    /// kernel, unless its last wait was short (``waitSpin(afterWaiting:forLength:)``): a
    /// small blob's writer answering within this needs no wake call, and the reader no
    /// wake-up. Longer waits cost this much CPU once each (a 30 fps source: 0.1% of a
    /// core). Nanoseconds.
    static let waitSpinBase = 30_000

    /// The longest spin a reader learns, and the longest wait it learns from: a reader
    /// whose waits for small blobs end within this meets the next one spinning.
    /// Nanoseconds.
    static let waitSpinMax = 200_000

    /// How long the next ``beginVerifiedView(after:timeout:)`` through this handle spins
    /// on the wake word before it sleeps (and ``waitForPublish(after:timeout:spin:)``
    /// without a spin of its own): ``waitSpin(afterWaiting:forLength:)`` of the last wait
    /// that ended in a blob, 30 µs after one that timed out or before any. A thread that
    /// may run on one CPU only yields between looks (a writer on that CPU gets it);
    /// `SHAREDBLOB_SPIN=0`: no spin.
    public var waitSpin: Duration { .nanoseconds(waitSpinNanoseconds.load(ordering: .relaxed)) }

    /// The spin a wait that lasted `waited` and ended in a blob of `length` bytes leaves
    /// for the next wait: twice `waited`, between 30 µs and 200 µs, if the blob is small
    /// (under 1 MiB) and `waited` at most 200 µs, so that a next wait about as short is
    /// met spinning instead of by a wake-up (on this machine ~50 µs across CPUs, each
    /// way); else 30 µs. A large blob is followed from its start, so its wake-up overlaps
    /// the copy. A reader whose waits keep ending within 0.1 ms (a fast request and
    /// answer, or a steady stream of small blobs) therefore keeps a CPU busy; one whose
    /// waits are longer pays 30 µs of spin per wait.
    public static func waitSpin(afterWaiting waited: Duration, forLength length: Int) -> Duration {
        .nanoseconds(learntSpinNanoseconds(waited: nanoseconds(waited), length: length))
    }

    private static func learntSpinNanoseconds(waited: Int64, length: Int) -> Int {
        length >= followThreshold || waited > Int64(waitSpinMax)
            ? waitSpinBase
            : min(waitSpinMax, max(waitSpinBase, Int(max(0, waited)) * 2))
    }

    /// The spin a wait without one of its own makes: ``waitSpin``, or none with
    /// `SHAREDBLOB_SPIN=0`.
    var learntSpinBudget: Duration { EnvironmentSwitches.spin ? waitSpin : .zero }

    /// Sets the next wait's spin from the wait that just ended in a blob.
    func learnWaitSpin(waited: Duration, length: Int) {
        waitSpinNanoseconds.store(Self.learntSpinNanoseconds(waited: Self.nanoseconds(waited), length: length), ordering: .relaxed)
    }

    /// The timeout of a wait for a blob after `sequence`, which every wait throws
    /// through here rather than as the bare case: the next wait spins the base again
    /// (nothing came: a reader polling with short timeouts spins little).
    func timeoutResettingSpin(after sequence: UInt64) -> SharedMemoryError {
        waitSpinNanoseconds.store(Self.waitSpinBase, ordering: .relaxed)
        return .timedOut(after: sequence)
    }

    /// How many fills one wait follows before it only waits for a publish to end: each
    /// restart (a writer died, another began) costs a pass over what was copied.
    static let maxFollows = 8
}
