import CAtomics
import Glibc
import Hashing
import SystemPackage
import Platform

extension BlobSegment {
    /// Publishes a payload made of `parts` laid end to end.
    ///
    /// The bytes go into the slot readers are not using; the sequence flips only when
    /// the payload and its checksum are complete, so a writer killed at any point leaves
    /// the previous blob intact. Waiting readers are woken.
    ///
    /// A payload of 1 MiB or more is copied with non-temporal stores (the slot was last
    /// touched two publishes ago: its old bytes are not worth reading into the cache) in
    /// 256 KiB pieces, each reported as done, so readers waiting in
    /// ``beginVerifiedView(after:timeout:)`` hash it behind the copy. Its checksum is
    /// computed on the second core meanwhile when no reader sleeps on the segment (the
    /// publish then costs about the copy), and here as it is copied when some do (they
    /// need the second core to follow).
    ///
    /// - Throws: ``SharedMemoryError/tooLarge(length:capacity:)`` before touching the
    ///   segment when the parts do not fit; the previous blob stays readable.
    public func publish(kind: BlobKind, parts: [UnsafeRawBufferPointer]) throws(SharedMemoryError) -> PublishReceipt {
        // Checked before anything reads the parts (the helper hashes a large one at once).
        var length = 0, overflow = false
        for part in parts where !overflow { (length, overflow) = length.addingReportingOverflow(part.count) }
        guard !overflow, length <= capacity else { throw .tooLarge(length: overflow ? .max : length, capacity: capacity) }
        let stopping = EnvironmentSwitches.stopAtByte != nil  // fault injection: the paths that stop
        if length >= Self.secondCoreThreshold {
            if !stopping, parts.count <= 8, EnvironmentSwitches.secondCore, sleepingReaders == 0,
               let receipt = try publishHashingBeside(kind: kind, parts: parts, length: length) { return receipt }
            return try publishHashingInline(kind: kind, parts: parts, length: length)
        }
        if Self.takesSmallPath(length) {
            return try publishSmall(kind: kind, length: length) { slot in
                var offset = 0
                for part in parts where part.count > 0 {
                    if catomics_guarded_copy(slot + offset, part.baseAddress!, part.count) != 0 { return false }
                    offset += part.count
                }
                return true
            }
        }
        do throws(PublishError<Never>) {
            return try publish(kind: kind, length: length) { (slot: inout SlotWriter) throws(Never) in
                for part in parts { slot.append(part) }
            }
        } catch {
            switch error {
            case let .segment(e): throw e
            case let .producer(never): switch never {}
            }
        }
    }

    /// Payloads from this size up are hashed on the second core while this thread copies.
    static let secondCoreThreshold = 1 << 20

    /// Whether a payload of `length` bytes is published by ``publishSmall(kind:length:copyIn:)``:
    /// under ``secondCoreThreshold``, unless fault injection wants the paths that stop.
    private static func takesSmallPath(_ length: Int) -> Bool {
        length < secondCoreThreshold && EnvironmentSwitches.stopAtByte == nil
    }

    /// The copying publish of a small payload: `copyIn` copies it to the slot's payload
    /// (false: the mapping shrank under it), then it is hashed in one call while it is in
    /// cache (no streaming hash state to allocate).
    private func publishSmall(kind: BlobKind, length: Int, copyIn: (UnsafeMutableRawPointer) -> Bool)
        throws(SharedMemoryError) -> PublishReceipt
    {
        let pending = try beginPublish(length: length, lockTimeout: Self.defaultLockTimeout)
        defer { endPublish() }
        let slot = base + pending.payloadOffset
        if !copyIn(slot) { throw .shrunk(backing) }
        let checksum = try Guarded.xxh3(UnsafeRawBufferPointer(start: slot, count: length), backing: backing)
        return finishPublish(pending, kind: kind, length: length, checksum: checksum)
    }

    /// ``publish(kind:parts:)`` of a payload in one piece, without the array (what a
    /// small blob's publish from C or Python pays for on every call).
    public func publish(kind: BlobKind, bytes: UnsafeRawBufferPointer) throws(SharedMemoryError) -> PublishReceipt {
        guard Self.takesSmallPath(bytes.count) else { return try publish(kind: kind, parts: [bytes]) }
        return try publishSmall(kind: kind, length: bytes.count) { slot in
            bytes.isEmpty || catomics_guarded_copy(slot, bytes.baseAddress!, bytes.count) == 0
        }
    }

    /// The copying publish with its checksum computed beside it: the helper thread
    /// hashes the parts (the caller's bytes, which stay put during the call) while this
    /// thread copies them into the slot, so the publish costs about the copy. Nil, with
    /// nothing done, when the helper is busy or there is one CPU.
    private func publishHashingBeside(kind: BlobKind, parts: [UnsafeRawBufferPointer], length: Int)
        throws(SharedMemoryError) -> PublishReceipt?
    {
        let job = UnsafeMutablePointer<catomics_parts_hash>.allocate(capacity: 1)
        defer { job.deallocate() }
        job.initialize(to: catomics_parts_hash())
        withUnsafeMutableBytes(of: &job.pointee.parts) { slots in
            for (i, part) in parts.enumerated() { slots.storeBytes(of: part.baseAddress, toByteOffset: i * 8, as: UnsafeRawPointer?.self) }
        }
        withUnsafeMutableBytes(of: &job.pointee.lengths) { slots in
            for (i, part) in parts.enumerated() { slots.storeBytes(of: part.count, toByteOffset: i * 8, as: Int.self) }
        }
        job.pointee.count = Int32(parts.count)
        // The hash needs only the caller's bytes: it starts before the lock is taken, and
        // a busy helper costs nothing but this try.
        guard catomics_hash_parts_begin(job) == 1 else { return nil }
        let pending: PendingPublish
        do throws(SharedMemoryError) {
            pending = try beginPublish(length: length, lockTimeout: Self.defaultLockTimeout, reportsProgress: true)
        } catch {
            catomics_second_core_wait()  // the job's memory is freed on return
            throw error
        }
        defer { endPublish() }
        let copied = copy(parts, to: base + pending.payloadOffset, reporting: pending)
        catomics_second_core_wait()
        if !copied || job.pointee.status != 0 { throw .shrunk(backing) }
        return finishPublish(pending, kind: kind, length: length, checksum: job.pointee.hash)
    }

    /// The copying publish of a large payload that hashes it here. A payload in one part
    /// on a CPU with AVX2 is hashed as it is streamed in, from the registers each stripe
    /// is stored from (`catomics_guarded_stream_copy_xxh3`: the caller's bytes are read
    /// once, and the hash costs about nothing beside the copy); otherwise each piece
    /// copied into the slot is hashed from the caller's bytes while they are in cache.
    private func publishHashingInline(kind: BlobKind, parts: [UnsafeRawBufferPointer], length: Int) throws(SharedMemoryError) -> PublishReceipt {
        let pending = try beginPublish(length: length, lockTimeout: Self.defaultLockTimeout, reportsProgress: true)
        defer { endPublish() }
        let slot = base + pending.payloadOffset
        let filled = parts.filter { $0.count > 0 }
        if filled.count == 1, length > 240, Int(bitPattern: slot) % 32 == 0, catomics_stream_copy_xxh3_available() != 0 {
            var state = catomics_xxh3_stream()
            catomics_stream_copy_xxh3_reset(&state)
            let copied = copy(filled, to: slot, reporting: pending, copyPiece: { destination, piece in
                catomics_guarded_stream_copy_xxh3(&state, destination, piece.baseAddress!, piece.count, length) == 0
            })
            if !copied { throw .shrunk(backing) }
            return finishPublish(pending, kind: kind, length: length, checksum: catomics_stream_copy_xxh3_digest(&state, filled[0].baseAddress!, length))
        }
        var hasher = XXH3.Hasher()
        let copied = copy(parts, to: slot, reporting: pending, eachPiece: { piece in hasher.update(piece) })
        if !copied { throw .shrunk(backing) }
        return finishPublish(pending, kind: kind, length: length, checksum: hasher.finalize())
    }

    /// Copies `parts` end to end to `slot` in ``progressPiece`` pieces (each a multiple
    /// of 1 KiB but a part's last) through `copyPiece` (where the piece goes, the
    /// caller's bytes; by default a guarded copy with non-temporal stores), which says
    /// false when the mapping turned out shorter than its pages (its file was truncated).
    /// After each piece, `eachPiece` sees the caller's bytes just copied and `pending`
    /// reports them. False when a piece failed.
    private func copy(
        _ parts: [UnsafeRawBufferPointer], to slot: UnsafeMutableRawPointer, reporting pending: PendingPublish,
        copyPiece: (UnsafeMutableRawPointer, UnsafeRawBufferPointer) -> Bool = { destination, piece in
            catomics_guarded_stream_copy(destination, piece.baseAddress!, piece.count) == 0
        },
        eachPiece: (UnsafeRawBufferPointer) -> Void = { _ in }
    ) -> Bool {
        var offset = 0
        for part in parts where part.count > 0 {
            var done = 0
            while done < part.count {
                let n = min(Self.progressPiece, part.count - done)
                let piece = UnsafeRawBufferPointer(start: part.baseAddress! + done, count: n)
                if !copyPiece(slot + offset, piece) { return false }
                eachPiece(piece)
                done += n
                offset += n
                pending.report(offset)
                if let stopAt = EnvironmentSwitches.stopAtByte, offset >= stopAt, offset - n < stopAt {
                    EnvironmentSwitches.stopSelf()
                }
            }
        }
        return true
    }

    /// How much a copying publish writes between two progress reports: small enough
    /// that a following reader hashes what is still in cache, large enough that a report
    /// (one store) costs nothing.
    static let progressPiece = 256 * 1024

    /// Publishes a payload of exactly `length` bytes that `produce` writes straight into
    /// the free slot (no intermediate buffer): each chunk it appends is hashed while it
    /// is still in cache. Only when `produce` returns having appended exactly `length`
    /// bytes does the sequence flip; if it throws, or appends another amount, nothing is
    /// published and the previous blob stays readable. (``loan(kind:length:lockTimeout:)``
    /// is the same without a closure.)
    ///
    /// - Throws: ``SharedMemoryError/tooLarge(length:capacity:)`` before touching the
    ///   segment; ``SharedMemoryError/incompletePayload(expected:written:)``; or what
    ///   `produce` throws.
    public func publish<E: Error>(
        kind: BlobKind, length: Int, lockTimeout: Duration = BlobSegment.defaultLockTimeout,
        _ produce: (inout SlotWriter) throws(E) -> Void
    ) throws(PublishError<E>) -> PublishReceipt {
        let pending: PendingPublish
        do throws(SharedMemoryError) { pending = try beginPublish(length: length, lockTimeout: lockTimeout) } catch {
            throw .segment(error)
        }
        defer { endPublish() }
        var writer = SlotWriter(base: base + pending.payloadOffset, capacity: length)
        do throws(E) {
            try produce(&writer)
        } catch {
            writer.endSHA256Beside()
            throw .producer(error)
        }
        writer.endSHA256Beside()
        if writer.faulted { throw .segment(.shrunk(backing)) }
        guard writer.written == length else {
            throw .segment(.incompletePayload(expected: length, written: writer.written))
        }
        return finishPublish(pending, kind: kind, length: length, checksum: writer.hasher.finalize())
    }

    /// Takes the writers' lock and opens the free slot for `length` bytes: marks it busy
    /// (readers never use a busy slot) and pre-faults it the first time. Pair with
    /// ``endPublish()``, and ``finishPublish(_:kind:length:checksum:)`` in between to
    /// publish; without it the previous blob stays the latest.
    ///
    /// `reportsProgress`: the caller writes the payload once, front to back, and raises
    /// the slot's progress as it goes (``PendingPublish/report(_:)``); the slot is tagged
    /// with a new fill number and sleeping readers are woken now, so they can hash the
    /// payload behind the copy (``beginVerifiedView(after:timeout:)``). Otherwise the
    /// slot's fill is 0 and readers wait for the finished publish.
    func beginPublish(length: Int, lockTimeout: Duration, reportsProgress: Bool = false) throws(SharedMemoryError) -> PendingPublish {
        guard length >= 0, length <= capacity else { throw .tooLarge(length: length, capacity: capacity) }
        let lock = base + SegmentLayout.writerLockOffset
        // The default's nanoseconds are a constant: no Duration division on every publish.
        let defaultNanoseconds = Self.defaultLockTimeoutNanoseconds
        let r = catomics_writer_lock(lock, lockTimeout == .nanoseconds(defaultNanoseconds) ? defaultNanoseconds
                                                                                           : Self.nanoseconds(lockTimeout))
        switch r {
        case 0, CATOMICS_LOCK_OWNER_DIED:
            break  // a dead holder's slot was never published: this publish overwrites it
        case ETIMEDOUT:
            let holder = catomics_load_relaxed_i32(base + SegmentLayout.writerPidOffset)
            throw .lockTimedOut(backing, holder: holder > 0 ? holder : nil, waited: lockTimeout)
        case EDEADLK:
            throw .lockHeldByThisThread(backing)
        default:
            throw .system(call: "pthread_mutex_lock", errno: Errno(rawValue: r), backing: backing)
        }
        catomics_store_relaxed_i32(base + SegmentLayout.writerPidOffset, Sys.processID())
        let sequence = publishedSequence &+ 1
        let slot = Int(sequence % UInt64(SegmentLayout.slotCount))
        let d = slotBase(slot)
        let payloadOffset = SegmentLayout.payloadOffset(capacity: capacity, slot: slot)
        catomics_store_relaxed_u64(d + SegmentLayout.slotSequence, SegmentLayout.busy)
        catomics_fence_release()
        populateOnce(base + payloadOffset, count: length, forWriting: true)
        var fill: UInt64 = 0
        if reportsProgress {
            let fills = base + SegmentLayout.fillsOffset
            fill = fills.load(as: UInt64.self) &+ 1
            if fill == 0 { fill = 1 }  // 0 means "no progress reported"
            fills.storeBytes(of: fill, as: UInt64.self)
            catomics_store_relaxed_u64(d + SegmentLayout.slotProgress, 0)
            catomics_store_relaxed_u64(d + SegmentLayout.slotLength, UInt64(length))
        }
        catomics_store_release_u64(d + SegmentLayout.slotFill, fill)
        catomics_fence_release()  // the fill tag before any byte of the payload
        if reportsProgress { wakeReaders(UInt32(truncatingIfNeeded: sequence) ^ UInt32.max) }
        return PendingPublish(sequence: sequence, descriptor: d, payloadOffset: payloadOffset)
    }

    /// Moves the wake word to `word` and wakes the readers sleeping on it, if the header
    /// counts any.
    private func wakeReaders(_ word: UInt32) {
        catomics_store_release_u32(base + SegmentLayout.wakeOffset, word)
        // Pairs with the waiter's increment: either it sees the new wake word, or this sees it.
        catomics_fence_seq_cst()
        if catomics_load_relaxed_u32(base + SegmentLayout.waitersOffset) != 0 {
            _ = catomics_futex_wake_all(base + SegmentLayout.wakeOffset)
        }
    }

    /// Fills in the busy slot's fields and flips the sequence: the blob is published.
    /// Wakes readers only when some sleep (the header's waiter count).
    func finishPublish(_ pending: PendingPublish, kind: BlobKind, length: Int, checksum: UInt64) -> PublishReceipt {
        let d = pending.descriptor, sequence = pending.sequence
        let metadata = BlobMetadata(
            sequence: sequence, kind: kind, length: length, checksum: checksum,
            publishTimeNanoseconds: Sys.realtimeNanoseconds(), writerPID: Sys.processID())
        d.storeBytes(of: UInt64(pending.payloadOffset), toByteOffset: SegmentLayout.slotPayloadOffset, as: UInt64.self)
        d.storeBytes(of: UInt64(length), toByteOffset: SegmentLayout.slotLength, as: UInt64.self)
        d.storeBytes(of: metadata.checksum, toByteOffset: SegmentLayout.slotChecksum, as: UInt64.self)
        d.storeBytes(of: metadata.publishTimeNanoseconds, toByteOffset: SegmentLayout.slotTime, as: Int64.self)
        d.storeBytes(of: metadata.writerPID, toByteOffset: SegmentLayout.slotPid, as: Int32.self)
        d.storeBytes(of: kind.rawValue, toByteOffset: SegmentLayout.slotKind, as: UInt32.self)
        catomics_store_release_u64(d + SegmentLayout.slotSequence, sequence)
        if EnvironmentSwitches.stopBetweenStores { EnvironmentSwitches.stopSelf() }  // fault injection (tests)
        catomics_store_release_u64(base + SegmentLayout.publishedOffset, sequence)
        wakeReaders(UInt32(truncatingIfNeeded: sequence))
        return PublishReceipt(metadata: metadata)
    }

    /// Releases the writers' lock taken by ``beginPublish(length:lockTimeout:)``.
    func endPublish() {
        catomics_store_relaxed_i32(base + SegmentLayout.writerPidOffset, 0)
        _ = catomics_writer_unlock(base + SegmentLayout.writerLockOffset)
    }
}

/// A publish between ``BlobSegment/beginPublish(length:lockTimeout:)`` and its end.
struct PendingPublish {
    let sequence: UInt64
    let descriptor: UnsafeMutableRawPointer
    let payloadOffset: Int

    /// Says that the first `written` bytes of the payload are in place for good: readers
    /// following the publish hash up to there. Only for a publish begun with
    /// `reportsProgress` (``BlobSegment/beginPublish(length:lockTimeout:reportsProgress:)``).
    func report(_ written: Int) {
        catomics_store_release_u64(descriptor + SegmentLayout.slotProgress, UInt64(written))
    }
}

/// Why a streaming publish failed: the engine refused, or the producer threw.
public enum PublishError<Producer: Error>: Error {
    /// The engine refused (too large, incomplete, a system call failed).
    case segment(SharedMemoryError)
    /// The producer passed to ``BlobSegment/publish(kind:length:lockTimeout:_:)`` threw this.
    case producer(Producer)
}

/// The free slot being filled by a publish: bytes go in at the end, each chunk hashed
/// right after it is written, while it is in cache.
public struct SlotWriter: ~Copyable {
    let base: UnsafeMutableRawPointer
    /// How many bytes the publish announced.
    public let capacity: Int
    /// How many bytes were appended so far.
    public private(set) var written = 0
    var hasher = XXH3.Hasher()
    private let stopAt = EnvironmentSwitches.stopAtByte
    private var stopped = false
    /// Set when the mapping turned out shorter than its pages (the file was truncated):
    /// nothing more is written and the publish fails.
    var faulted = false

    init(base: UnsafeMutableRawPointer, capacity: Int) {
        self.base = base
        self.capacity = capacity
    }

    /// Room left before the announced length.
    public var remaining: Int { capacity - written }

    /// Copies `bytes` in (at most `remaining` of them are taken).
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        var done = 0
        let total = min(bytes.count, remaining)
        while done < total {
            let n = min(chunkSize, total - done)
            let copied = fill(upTo: n) { dst in
                catomics_guarded_copy(dst.baseAddress!, bytes.baseAddress! + done, n) == 0 ? n : 0
            }
            if copied < n { faulted = true; return }
            done += n
        }
    }

    /// The SHA-256 computed on the second core (``hashSHA256Beside(_:)``), if one runs.
    private var beside: UnsafeMutablePointer<catomics_sha256_follow>?

    /// From here on, every byte appended or filled is also added to `sha256` — on the
    /// second core, behind this thread, instead of here (it costs about as much as
    /// reading a file does). Without a second core, or with the helper busy, the bytes
    /// are hashed here as ``fill(upTo:sha256:_:)`` would. The digest is complete once the
    /// publish returns (or throws).
    public mutating func hashSHA256Beside(_ sha256: SHA256.Hasher) {
        guard beside == nil, inlineSHA256 == nil else { return }
        guard remaining >= BlobSegment.secondCoreThreshold, EnvironmentSwitches.secondCore else {
            inlineSHA256 = sha256  // a small payload: handing it over would cost more
            return
        }
        besideStart = written
        if let job = Guarded.followSHA256(sha256, from: base + written, available: 0, complete: false) {
            beside = job
            besideHasher = sha256
        } else {
            inlineSHA256 = sha256
        }
    }

    private var besideStart = 0
    private var besideHasher: SHA256.Hasher?
    private var inlineSHA256: SHA256.Hasher?

    /// Waits for the second core's SHA-256 to take in every byte written; the engine
    /// calls it when the producer is done (or failed).
    mutating func endSHA256Beside() {
        guard let job = beside else { return }
        catomics_store_release_int(&job.pointee.complete, 1)
        catomics_second_core_wait()
        if job.pointee.status != 0 { faulted = true }
        job.deallocate()
        beside = nil
        besideHasher = nil
    }

    /// Lets `produce` write up to `count` bytes (at most `remaining`) at the end of the
    /// slot and return how many it wrote; they are hashed at once and, with `sha256`,
    /// added to that hash too while in cache (both through the SIGBUS guard: the slot's
    /// file may have been truncated). Returns what `produce` returned.
    @discardableResult
    public mutating func fill<E: Error>(
        upTo count: Int, sha256: SHA256.Hasher? = nil,
        _ produce: (UnsafeMutableRawBufferPointer) throws(E) -> Int
    ) throws(E) -> Int {
        let room = min(count, remaining)
        guard room > 0, !faulted else { return 0 }
        let dst = UnsafeMutableRawBufferPointer(start: base + written, count: room)
        let n = min(max(try produce(dst), 0), room)
        let done = UnsafeRawBufferPointer(start: base + written, count: n)
        if hasher.withState({ catomics_guarded_xxh3_update(UnsafeMutableRawPointer($0), done.baseAddress, n) }) != 0 {
            faulted = true
            return 0
        }
        if let sha256 = sha256 ?? inlineSHA256, n > 0,
           sha256.withContext({ catomics_guarded_sha256_update($0, done.baseAddress!, n) }) != 0 {
            faulted = true
            return 0
        }
        written += n
        if let beside { catomics_store_release_size(&beside.pointee.available, written - besideStart) }
        if let stopAt, !stopped, written >= stopAt {
            stopped = true
            EnvironmentSwitches.stopSelf()
        }
        return n
    }
}

/// Copy granularity: small enough that the bytes just copied are still in cache when
/// they are hashed, so the checksum costs little beyond the copy itself.
let chunkSize = 64 * 1024

/// The engine's environment variables, each read once. `SHAREDBLOB_TEST_STOP_AT=N` is
/// fault injection for the crash tests: a writer stops itself (SIGSTOP) once N payload
/// bytes are copied (a large copying publish: at the end of the piece that reaches N,
/// once it is reported), so a test can SIGKILL it at exactly that point (unset in normal
/// use). `SHAREDBLOB_TEST_STOP_BETWEEN_READS=1` stops an article-layout reader between
/// its two reads of a frame, so a test can write meanwhile;
/// `SHAREDBLOB_TEST_STOP_BETWEEN_STORES=1` stops a writer between storing the slot's
/// sequence and the header's, the one moment a slot looks finished and is not
/// published. `SHAREDBLOB_PREFAULT=0`
/// turns pre-faulting off, `SHAREDBLOB_SECOND_CORE=0` the helper thread and
/// `SHAREDBLOB_FOLLOW=0` following readers, for the benchmark; `SHAREDBLOB_SPIN=0`
/// makes waiting readers sleep at once (no CPU spent spinning, a wake-up every time),
/// unless a `waitForPublish` caller asks for a spin of its own.
enum EnvironmentSwitches {
    static let stopAtByte: Int? = Environment.value("SHAREDBLOB_TEST_STOP_AT").flatMap { Int($0) }
    static let stopBetweenReads = Environment.value("SHAREDBLOB_TEST_STOP_BETWEEN_READS") == "1"
    static let stopBetweenStores = Environment.value("SHAREDBLOB_TEST_STOP_BETWEEN_STORES") == "1"

    /// Whether publishes and verified views fault their pages in with one `madvise`
    /// first (on unless `SHAREDBLOB_PREFAULT=0`; the benchmark measures both).
    static let prefault: Bool = Environment.value("SHAREDBLOB_PREFAULT") != "0"

    /// Whether large payloads are hashed on a second core (on unless
    /// `SHAREDBLOB_SECOND_CORE=0`; the benchmark measures both).
    static let secondCore: Bool = Environment.value("SHAREDBLOB_SECOND_CORE") != "0"

    /// Whether readers waiting for a large blob hash it behind the writer's copy (on
    /// unless `SHAREDBLOB_FOLLOW=0`, to measure without it).
    static let follow: Bool = Environment.value("SHAREDBLOB_FOLLOW") != "0"

    /// Whether a waiting reader spins before it sleeps (on unless `SHAREDBLOB_SPIN=0`:
    /// ``BlobSegment/waitSpin``).
    static let spin: Bool = Environment.value("SHAREDBLOB_SPIN") != "0"

    static func stopSelf() {
        Sys.raise(SIGSTOP)
    }
}

extension BlobSegment {
    /// Lends the free slot to a producer that writes the payload itself, in place (what
    /// iceoryx2 calls a loan): the writers' lock is held, the slot is marked busy, and
    /// nothing is visible to readers until ``SlotLoan/commit(count:)``.
    ///
    /// The rule: commit or abandon the loan, on the thread that took it, before this
    /// thread publishes again. Abandoning it (``SlotLoan/abandon()``, or dropping it),
    /// throwing, or dying while holding it publishes nothing: readers keep the previous
    /// blob, and the next writer takes the lock over. While a loan is open every other
    /// writer waits (at most its lock timeout), so hold it only as long as filling takes.
    ///
    /// - Throws: ``SharedMemoryError/tooLarge(length:capacity:)``,
    ///   ``SharedMemoryError/lockTimedOut(_:holder:waited:)``,
    ///   ``SharedMemoryError/lockHeldByThisThread(_:)``.
    public func loan(kind: BlobKind, length: Int, lockTimeout: Duration = BlobSegment.defaultLockTimeout)
        throws(SharedMemoryError) -> SlotLoan
    {
        let pending = try beginPublish(length: length, lockTimeout: lockTimeout)
        return SlotLoan(state: SlotLoan.State(segment: self, pending: pending, kind: kind, length: length))
    }
}

/// A free slot lent by ``BlobSegment/loan(kind:length:lockTimeout:)``: write the payload
/// into ``bytes``, then ``commit(count:)`` to publish it or ``abandon()`` to drop it.
/// Dropping an uncommitted loan abandons it — and Swift may drop a value right after its
/// last use, so end every loan with one of the two calls. Not `Sendable`: the writers'
/// lock it holds belongs to the thread that took it.
public struct SlotLoan: ~Copyable {
    final class State {
        let segment: BlobSegment
        let pending: PendingPublish
        let kind: BlobKind
        let length: Int
        var open = true

        init(segment: BlobSegment, pending: PendingPublish, kind: BlobKind, length: Int) {
            self.segment = segment
            self.pending = pending
            self.kind = kind
            self.length = length
        }
    }

    let state: State

    init(state: State) { self.state = state }

    deinit {
        if state.open { state.segment.endPublish() }
    }

    /// The slot's bytes, as many as the loan asked for. Valid until the loan ends; their
    /// contents are whatever an earlier publish left there, not zeros.
    public var bytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: state.segment.base + state.pending.payloadOffset, count: state.length)
    }

    /// Publishes the first `count` bytes of the slot (all of them by default): hashes
    /// them, fills in the metadata and flips the sequence, then releases the lock.
    ///
    /// - Throws: ``SharedMemoryError/tooLarge(length:capacity:)`` for a `count` beyond the
    ///   loan, ``SharedMemoryError/shrunk(_:)`` if the segment's file was truncated; the
    ///   loan is abandoned then and the previous blob stays the latest.
    public consuming func commit(count: Int? = nil) throws(SharedMemoryError) -> PublishReceipt {
        let state = self.state
        state.open = false
        defer { state.segment.endPublish() }
        let n = count ?? state.length
        guard n >= 0, n <= state.length else { throw .tooLarge(length: n, capacity: state.length) }
        let checksum = try Guarded.xxh3(UnsafeRawBufferPointer(start: bytes.baseAddress, count: n), backing: state.segment.backing)
        return state.segment.finishPublish(state.pending, kind: state.kind, length: n, checksum: checksum)
    }

    /// Drops the loan: nothing is published, the previous blob stays the latest.
    public consuming func abandon() {
        state.open = false
        state.segment.endPublish()
    }
}

@available(*, unavailable)
extension SlotLoan: Sendable {}
