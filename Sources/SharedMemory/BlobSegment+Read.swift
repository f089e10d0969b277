import CAtomics
import Glibc
import Hashing
import Platform

extension BlobSegment {
    /// How many bytes of the latest payload ``info()`` copies (enough for a path label).
    public static let peekLength = 4096 + 8

    /// How many times a read restarts because writers reused its slot before giving up.
    static let maxReadAttempts = 10_000

    /// Copies the latest blob into `buffer` and verifies its checksum.
    ///
    /// Never returns a torn payload: the copy is retried when a writer reused the slot
    /// meanwhile. Returns nil when nothing was published yet.
    public func read(into buffer: PayloadBuffer) throws(SharedMemoryError) -> BlobMetadata? {
        try readStable { metadata, payload throws(SharedMemoryError) in
            let dst = buffer.prepare(metadata.length)
            var hasher = XXH3.Hasher()
            var done = 0
            while done < metadata.length {
                let n = min(chunkSize, metadata.length - done)
                // Guarded: a segment file truncated under us is an error, not SIGBUS.
                if catomics_guarded_copy(dst + done, payload + done, n) != 0 { throw .shrunk(backing) }
                hasher.update(UnsafeRawBufferPointer(start: dst + done, count: n))
                done += n
            }
            return hasher.finalize()
        }
    }

    /// Reads the latest blob into a new array; nil when nothing was published yet.
    public func readLatest() throws(SharedMemoryError) -> (metadata: BlobMetadata, payload: [UInt8])? {
        let buffer = PayloadBuffer()
        guard let metadata = try self.read(into: buffer) else { return nil }
        return (metadata, buffer.array)
    }

    /// The header fields and the latest blob's metadata, without reading the payload.
    public func info() throws(SharedMemoryError) -> SegmentInfo {
        let latest = try readStable { _, _ throws(SharedMemoryError) in nil }
        return SegmentInfo(
            backing: backing, version: SegmentLayout.version, headerSize: SegmentLayout.headerSize, capacity: capacity,
            totalSize: totalSize, publishedSequence: publishedSequence, latest: latest)
    }

    /// Lets `body` look at the first bytes (at most `maxBytes`) of the latest payload in
    /// place, unverified (nothing is hashed or copied: `info` reads a path label this
    /// way); `body` runs again if a writer reused the slot meanwhile, and only a result
    /// from a stable view is returned. Nil when nothing was published yet.
    ///
    /// The view is valid only inside `body`: do not keep pointers into it.
    public func peekLatest<R>(
        maxBytes: Int, _ body: (BlobMetadata, UnsafeRawBufferPointer) -> R
    ) throws(SharedMemoryError) -> (BlobMetadata, R)? {
        var result: R?
        let metadata = try readStable { metadata, payload throws(SharedMemoryError) in
            // The caller reads these bytes itself: make sure the file still holds them.
            let end = payload - UnsafeRawPointer(base) + min(metadata.length, maxBytes)
            guard let st = try? fd.status(), Int(st.st_size) >= end else { throw .shrunk(backing) }
            result = body(metadata, UnsafeRawBufferPointer(start: payload, count: min(metadata.length, maxBytes)))
            return nil
        }
        guard let metadata, let result else { return nil }
        return (metadata, result)
    }

    /// How many times ``withVerifiedView(_:)`` serves the mapping itself before it
    /// falls back to a copy, when writers keep reusing the slot.
    public static let maxViewAttempts = 3

    /// Calls `body` with a read-only view of the latest payload where it lies in the
    /// mapping, after verifying its checksum in place; once `body` returns, re-checks
    /// that no writer reused the slot meanwhile (a writer needs two publishes to reach
    /// it). If one did, `body`'s result is discarded and it runs again on a fresh view,
    /// at most ``maxViewAttempts`` times, then once on a verified private copy.
    ///
    /// Rules for `body`: the view is valid only inside the call (keep no pointers into
    /// it); it may see torn bytes in a call whose result is then discarded, so it must
    /// treat them as untrusted input and may be called more than once (write outputs so
    /// that a later call replaces an earlier one's, e.g. truncate first).
    ///
    /// - Returns: nil when nothing was published yet.
    /// - Throws: ``SharedMemoryError/checksumMismatch(sequence:expected:actual:)`` for a
    ///   stable payload that fails verification.
    public func withVerifiedView<R>(
        _ body: (BlobMetadata, UnsafeRawBufferPointer) -> R
    ) throws(SharedMemoryError) -> VerifiedView<R>? {
        var overwritten = 0
        for _ in 0 ..< Self.maxViewAttempts {
            guard let (metadata, payload, descriptor) = try locateLatest() else { return nil }
            let view = UnsafeRawBufferPointer(start: payload, count: metadata.length)
            populateOnce(payload, count: metadata.length, forWriting: false)
            var actual: UInt64 = 0
            if catomics_guarded_xxh3(payload, metadata.length, &actual) != 0 { throw .shrunk(backing) }
            guard isStable(descriptor, metadata.sequence) else { overwritten += 1; continue }
            if actual != metadata.checksum {
                throw .checksumMismatch(sequence: metadata.sequence, expected: metadata.checksum, actual: actual)
            }
            let result = body(metadata, view)
            guard isStable(descriptor, metadata.sequence) else { overwritten += 1; continue }
            return VerifiedView(metadata: metadata, result: result, source: .mapping, overwritten: overwritten)
        }
        let buffer = PayloadBuffer()
        guard let metadata = try self.read(into: buffer) else { return nil }
        return VerifiedView(metadata: metadata, result: body(metadata, buffer.bytes), source: .copy, overwritten: overwritten)
    }

    /// A verified view held open across calls, for callers that cannot pass a closure
    /// (the C library's `sb_view_begin`/`sb_view_end`): the latest payload, its checksum
    /// verified where it lies. Its bytes stay what was verified only while
    /// ``isStillValid(_:)`` says so; ask after using them, and discard what you made of
    /// them if it says no (a writer reused the slot: two publishes since).
    ///
    /// - Returns: nil when nothing was published yet.
    /// - Throws: ``SharedMemoryError/checksumMismatch(sequence:expected:actual:)``, or
    ///   ``SharedMemoryError/busy`` when writers kept reusing the slot while it was checked.
    public func beginVerifiedView() throws(SharedMemoryError) -> HeldView? {
        for _ in 0 ..< Self.maxReadAttempts {
            guard let (metadata, payload, descriptor) = try locateLatest() else { return nil }
            populateOnce(payload, count: metadata.length, forWriting: false)
            var actual: UInt64 = 0
            if catomics_guarded_xxh3(payload, metadata.length, &actual) != 0 { throw .shrunk(backing) }
            guard isStable(descriptor, metadata.sequence) else { continue }
            if actual != metadata.checksum {
                throw .checksumMismatch(sequence: metadata.sequence, expected: metadata.checksum, actual: actual)
            }
            return HeldView(metadata: metadata, bytes: UnsafeRawBufferPointer(start: payload, count: metadata.length),
                            descriptor: descriptor)
        }
        throw .busy
    }

    /// Whether the bytes of `view` (from ``beginVerifiedView()`` on this segment) are still
    /// the verified ones: no writer has reused its slot since.
    public func isStillValid(_ view: HeldView) -> Bool {
        isStable(view.descriptor, view.metadata.sequence)
    }

    /// ``isStillValid(_:)`` for a view known only by its ``HeldView/slot`` and sequence
    /// (the C library's `sb_view` keeps no more): nil when `slot` is not one of this
    /// segment's slots.
    public func isStillValid(slot: UnsafeRawPointer, sequence: UInt64) -> Bool? {
        for index in 0 ..< SegmentLayout.slotCount where UnsafeRawPointer(slotBase(index)) == slot {
            return isStable(slotBase(index), sequence)
        }
        return nil
    }

    /// Calls `body` with a read-only view of the latest payload where it lies in the
    /// mapping, **without verifying its checksum**: the seqlock alone says the bytes were
    /// not being rewritten while `body` ran (it runs again on a fresh view when they
    /// were). That rules out torn reads from writers that follow the protocol; it does
    /// not catch bytes corrupted any other way (a faulty or hostile writer, a process
    /// scribbling on the mapping), which ``withVerifiedView(_:)`` does, for one more pass
    /// over the bytes. The same rules for `body` apply: keep no pointers into the view,
    /// treat the bytes as untrusted input, and expect to be called more than once.
    ///
    /// - Returns: the metadata and `body`'s result for a stable view; nil when nothing
    ///   was published yet.
    /// - Throws: ``SharedMemoryError/busy`` when writers keep reusing the slot.
    public func withUnverifiedView<R>(
        _ body: (BlobMetadata, UnsafeRawBufferPointer) -> R
    ) throws(SharedMemoryError) -> (metadata: BlobMetadata, result: R)? {
        for _ in 0 ..< Self.maxReadAttempts {
            guard let (metadata, payload, descriptor) = try locateLatest() else { return nil }
            populateOnce(payload, count: metadata.length, forWriting: false)
            let result = body(metadata, UnsafeRawBufferPointer(start: payload, count: metadata.length))
            if isStable(descriptor, metadata.sequence) { return (metadata, result) }
        }
        throw .busy
    }

    /// Whether the slot still holds `sequence` (an acquire fence orders the reads before).
    func isStable(_ descriptor: UnsafeMutableRawPointer, _ sequence: UInt64) -> Bool {
        catomics_fence_acquire()
        return catomics_load_acquire_u64(descriptor + SegmentLayout.slotSequence) == sequence
    }

    /// The latest published slot: its metadata, where its payload lies (checked against
    /// the mapping) and its descriptor; nil when nothing was published. Waits out a
    /// writer that is reusing the slot.
    private func locateLatest() throws(SharedMemoryError) -> (BlobMetadata, UnsafeRawPointer, UnsafeMutableRawPointer)? {
        for _ in 0 ..< Self.maxReadAttempts {
            let published = publishedSequence
            if published == 0 { return nil }
            let d = slotBase(Int(published % UInt64(SegmentLayout.slotCount)))
            let sequence = catomics_load_acquire_u64(d + SegmentLayout.slotSequence)
            if sequence != published {
                if publishedSequence == published && sequence != SegmentLayout.busy {
                    throw .corrupt(backing, reason: "slot holds sequence \(sequence) but the header says \(published)")
                }
                catomics_cpu_relax()
                continue  // a writer is reusing this slot; the published sequence moved on
            }
            guard let (metadata, payload) = try contents(of: d, sequence: sequence) else { continue }
            return (metadata, payload, d)
        }
        throw .busy
    }

    /// The metadata and payload address of the slot at `d`, which held `sequence` when
    /// the caller looked (checked against the mapping); nil when a writer reused the
    /// slot meanwhile and the fields read were not the ones published.
    func contents(of d: UnsafeMutableRawPointer, sequence: UInt64) throws(SharedMemoryError) -> (BlobMetadata, UnsafeRawPointer)? {
        let offset = d.load(fromByteOffset: SegmentLayout.slotPayloadOffset, as: UInt64.self)
        let length = d.load(fromByteOffset: SegmentLayout.slotLength, as: UInt64.self)
        let metadata = BlobMetadata(
            sequence: sequence,
            kind: BlobKind(rawValue: d.load(fromByteOffset: SegmentLayout.slotKind, as: UInt32.self)),
            length: Int(truncatingIfNeeded: min(length, UInt64(Int.max))),
            checksum: d.load(fromByteOffset: SegmentLayout.slotChecksum, as: UInt64.self),
            publishTimeNanoseconds: d.load(fromByteOffset: SegmentLayout.slotTime, as: Int64.self),
            writerPID: d.load(fromByteOffset: SegmentLayout.slotPid, as: Int32.self))
        let inBounds = length <= UInt64(capacity) && offset >= UInt64(SegmentLayout.dataOffset)
            && offset <= UInt64(totalSize) && length <= UInt64(totalSize) - offset
        if !inBounds {
            if isStable(d, sequence) {
                throw .corrupt(backing, reason: "blob \(sequence) claims \(length) bytes at offset \(offset), outside the \(totalSize)-byte segment")
            }
            return nil
        }
        return (metadata, UnsafeRawPointer(base + Int(offset)))
    }

    /// The seqlock read: finds the latest slot, lets `body` copy from the payload, then
    /// confirms no writer touched the slot meanwhile. `body` returns the checksum of
    /// what it copied, or nil to skip verification.
    func readStable(
        _ body: (BlobMetadata, UnsafeRawPointer) throws(SharedMemoryError) -> UInt64?
    ) throws(SharedMemoryError) -> BlobMetadata? {
        for _ in 0 ..< Self.maxReadAttempts {
            guard let (metadata, payload, descriptor) = try locateLatest() else { return nil }
            let actual = try body(metadata, payload)
            guard isStable(descriptor, metadata.sequence) else { continue }
            if let actual, actual != metadata.checksum {
                throw .checksumMismatch(sequence: metadata.sequence, expected: metadata.checksum, actual: actual)
            }
            return metadata
        }
        throw .busy
    }
}

/// A verified view from ``BlobSegment/beginVerifiedView()``: valid while
/// ``BlobSegment/isStillValid(_:)`` says so, and only while the segment is open.
public struct HeldView {
    /// The blob's metadata.
    public let metadata: BlobMetadata
    /// The payload where it lies in the mapping.
    public let bytes: UnsafeRawBufferPointer
    let descriptor: UnsafeMutableRawPointer
    /// The slot it lies in (its descriptor in the mapping): with the sequence, what
    /// ``BlobSegment/isStillValid(slot:sequence:)`` needs.
    public var slot: UnsafeRawPointer { UnsafeRawPointer(descriptor) }
    /// Whether it was verified behind the writer's copy (``BlobSegment/beginVerifiedView(after:timeout:)``
    /// followed the publish) rather than in a pass after it.
    public var followed = false
}

/// What ``BlobSegment/withVerifiedView(_:)`` returns.
public struct VerifiedView<Result> {
    /// Where the bytes `body` saw came from.
    public enum Source: Sendable, Equatable {
        /// The mapping itself (zero copy).
        case mapping
        /// A verified private copy, after writers kept reusing the slot.
        case copy
    }

    /// The blob's metadata.
    public var metadata: BlobMetadata
    /// What `body` returned for the stable view.
    public var result: Result
    /// Where the view lay.
    public var source: Source
    /// How many views were discarded because a writer reused the slot.
    public var overwritten: Int
}

extension BlobSegment {
    // Reading a view's bytes for a caller, guarded like the engine's own reads: a file
    // truncated under the mapping is ``SharedMemoryError/shrunk(_:)``, not SIGBUS.

    /// A private copy of `view` (bytes of this segment's mapping).
    public func copy(_ view: UnsafeRawBufferPointer) throws(SharedMemoryError) -> [UInt8] {
        try Guarded.copy(view, backing: backing)
    }

    /// The SHA-256 of `view`, as 64 lowercase hex digits.
    public func sha256(_ view: UnsafeRawBufferPointer) throws(SharedMemoryError) -> String {
        try Guarded.sha256(view, backing: backing)
    }

    /// The SHA-256 of `view` (bytes of this segment's mapping), computed on the second
    /// core while `body` runs on this thread: writing the bytes out and hashing them take
    /// the time of the longer, not of both.
    public func sha256<R>(_ view: UnsafeRawBufferPointer, besides body: () -> R) throws(SharedMemoryError) -> (sha256: String, result: R) {
        try Guarded.sha256(view, backing: backing, besides: body)
    }

    /// Copies `view` (bytes of this segment's mapping) to `destination`, which has room
    /// for them, through the SIGBUS guard: a file truncated meanwhile is
    /// ``SharedMemoryError/shrunk(_:)``, not a signal.
    public func copy(_ view: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer) throws(SharedMemoryError) {
        try Guarded.copy(view, to: destination, backing: backing)
    }
}

/// Reads of mapped bytes through the SIGBUS guard (`mapping_guard.c`), for every layout:
/// a file truncated under the mapping is ``SharedMemoryError/shrunk(_:)``, not a signal.
enum Guarded {
    /// A private copy of `view`, written straight into uninitialized memory.
    static func copy(_ view: UnsafeRawBufferPointer, backing: SegmentBacking) throws(SharedMemoryError) -> [UInt8] {
        if view.isEmpty { return [] }
        var failure: SharedMemoryError?
        let out = [UInt8](unsafeUninitializedCapacity: view.count) { buffer, initialized in
            do throws(SharedMemoryError) { try copy(view, to: buffer.baseAddress!, backing: backing) } catch { failure = error }
            initialized = view.count
        }
        if let failure { throw failure }
        return out
    }

    /// `view` copied to `destination`, which has room for it.
    static func copy(_ view: UnsafeRawBufferPointer, to destination: UnsafeMutableRawPointer,
                     backing: SegmentBacking) throws(SharedMemoryError) {
        guard let source = view.baseAddress, !view.isEmpty else { return }
        if catomics_guarded_copy(destination, source, view.count) != 0 { throw .shrunk(backing) }
    }

    /// The SHA-256 of `view`, as 64 lowercase hex digits, read in 64 KiB chunks.
    static func sha256(_ view: UnsafeRawBufferPointer, backing: SegmentBacking) throws(SharedMemoryError) -> String {
        let hasher = SHA256.Hasher()
        var done = 0
        while done < view.count {
            let n = min(chunkSize, view.count - done)
            let rc = hasher.withContext { catomics_guarded_sha256_update($0, view.baseAddress! + done, n) }
            if rc != 0 { throw .shrunk(backing) }
            done += n
        }
        return hasher.finalizeHex()
    }

    /// The SHA-256 of `view` (hex), computed on the second core while `body` runs here
    /// (on this thread, after `body`, when there is no second core or it is busy).
    static func sha256<R>(_ view: UnsafeRawBufferPointer, backing: SegmentBacking, besides body: () -> R)
        throws(SharedMemoryError) -> (sha256: String, result: R)
    {
        guard view.count >= BlobSegment.secondCoreThreshold, EnvironmentSwitches.secondCore else {
            let result = body()
            return (try sha256(view, backing: backing), result)
        }
        let hasher = SHA256.Hasher()
        guard let job = followSHA256(hasher, from: view.baseAddress!, available: view.count, complete: true) else {
            let result = body()
            return (try sha256(view, backing: backing), result)
        }
        defer { job.deallocate() }
        let result = body()
        catomics_second_core_wait()
        if job.pointee.status != 0 { throw .shrunk(backing) }
        return (hasher.finalizeHex(), result)
    }

    /// Hands the SHA-256 of the bytes from `base` to the second core, which follows
    /// `available` as the caller raises it until `complete`; nil (nothing started) when
    /// the helper is busy or there is one CPU. Wait with `catomics_second_core_wait`
    /// before reading the digest or deallocating the job.
    static func followSHA256(_ hasher: SHA256.Hasher, from base: UnsafeRawPointer, available: Int, complete: Bool)
        -> UnsafeMutablePointer<catomics_sha256_follow>?
    {
        let job = UnsafeMutablePointer<catomics_sha256_follow>.allocate(capacity: 1)
        job.initialize(to: catomics_sha256_follow())
        job.pointee.context = hasher.withContext { $0 }
        job.pointee.base = base.assumingMemoryBound(to: UInt8.self)
        job.pointee.available = available
        job.pointee.complete = complete ? 1 : 0
        guard catomics_sha256_follow_begin(job) == 1 else {
            job.deallocate()
            return nil
        }
        return job
    }

    /// The XXH3-64 of `view`.
    static func xxh3(_ view: UnsafeRawBufferPointer, backing: SegmentBacking) throws(SharedMemoryError) -> UInt64 {
        var hash: UInt64 = 0
        if !view.isEmpty, catomics_guarded_xxh3(view.baseAddress!, view.count, &hash) != 0 { throw .shrunk(backing) }
        return view.isEmpty ? XXH3.hash(view) : hash
    }

    /// Whether `view` holds exactly `bytes`.
    static func equal(_ view: UnsafeRawBufferPointer, _ bytes: UnsafeRawBufferPointer, backing: SegmentBacking) throws(SharedMemoryError) -> Bool {
        precondition(view.count == bytes.count)
        if view.isEmpty { return true }
        var equal: Int32 = 0
        if catomics_guarded_compare(bytes.baseAddress!, view.baseAddress!, view.count, &equal) != 0 { throw .shrunk(backing) }
        return equal != 0
    }
}
