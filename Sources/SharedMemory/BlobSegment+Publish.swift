import CAtomics
import Glibc
import Hashing

extension BlobSegment {
    /// Publishes a payload made of `parts` laid end to end.
    ///
    /// The bytes go into the slot readers are not using; the sequence flips only when
    /// the payload and its checksum are complete, so a writer killed at any point leaves
    /// the previous blob intact. Waiting readers are woken.
    ///
    /// - Throws: ``SharedMemoryError/tooLarge(length:capacity:)`` before touching the
    ///   segment when the parts do not fit; the previous blob stays readable.
    public func publish(kind: BlobKind, parts: [UnsafeRawBufferPointer]) throws(SharedMemoryError) -> PublishReceipt {
        let length = parts.reduce(0) { $0 + $1.count }
        guard length <= capacity else { throw .tooLarge(length: length, capacity: capacity) }
        return try publishLock.withLock { (_) throws(SharedMemoryError) -> PublishReceipt in
            try publishLocked(kind: kind, parts: parts, length: length)
        }
    }

    /// The publish itself; the caller holds `publishLock`.
    private func publishLocked(kind: BlobKind, parts: [UnsafeRawBufferPointer], length: Int) throws(SharedMemoryError) -> PublishReceipt {
        do throws(SyscallError) {
            try Sys.flock(fd, LOCK_EX)
        } catch {
            throw .system(call: error.call, errno: error.errno, backing: backing)
        }
        defer { Sys.unlock(fd) }

        let sequence = publishedSequence &+ 1
        let slot = Int(sequence % UInt64(SegmentLayout.slotCount))
        let d = slotBase(slot)
        let payloadOffset = SegmentLayout.payloadOffset(capacity: capacity, slot: slot)
        catomics_store_relaxed_u64(d + SegmentLayout.slotSequence, SegmentLayout.busy)
        catomics_fence_release()

        var hasher = XXH3.Hasher()
        var at = payloadOffset
        var copied = 0
        let stopAt = TestHooks.stopAtByte
        var stopped = false
        for part in parts where part.count > 0 {
            var done = 0
            while done < part.count {
                let n = min(chunkSize, part.count - done)
                let src = UnsafeRawBufferPointer(rebasing: part[done ..< done + n])
                memcpy(base + at, src.baseAddress!, n)
                hasher.update(UnsafeRawBufferPointer(start: base + at, count: n))
                done += n
                at += n
                copied += n
                if let stopAt, !stopped, copied >= stopAt { stopped = true; TestHooks.stopSelf() }
            }
        }
        let metadata = BlobMetadata(
            sequence: sequence, kind: kind, length: length, checksum: hasher.finalize(),
            publishTimeNanoseconds: Sys.realtimeNanoseconds(), writerPID: Sys.processID())
        d.storeBytes(of: UInt64(payloadOffset), toByteOffset: SegmentLayout.slotPayloadOffset, as: UInt64.self)
        d.storeBytes(of: UInt64(length), toByteOffset: SegmentLayout.slotLength, as: UInt64.self)
        d.storeBytes(of: metadata.checksum, toByteOffset: SegmentLayout.slotChecksum, as: UInt64.self)
        d.storeBytes(of: metadata.publishTimeNanoseconds, toByteOffset: SegmentLayout.slotTime, as: Int64.self)
        d.storeBytes(of: metadata.writerPID, toByteOffset: SegmentLayout.slotPid, as: Int32.self)
        d.storeBytes(of: kind.rawValue, toByteOffset: SegmentLayout.slotKind, as: UInt32.self)
        catomics_store_release_u64(d + SegmentLayout.slotSequence, sequence)
        catomics_store_release_u64(base + SegmentLayout.publishedOffset, sequence)
        catomics_store_release_u32(base + SegmentLayout.wakeOffset, UInt32(truncatingIfNeeded: sequence))
        _ = catomics_futex_wake_all(base + SegmentLayout.wakeOffset)
        return PublishReceipt(metadata: metadata)
    }
}

/// Copy granularity: small enough that the bytes just copied are still in cache when
/// they are hashed, so the checksum costs little beyond the copy itself.
let chunkSize = 64 * 1024

/// Fault injection for the crash tests: with `SHAREDBLOB_TEST_STOP_AT=N` in the
/// environment a writer stops itself (SIGSTOP) once N payload bytes are copied, so a
/// test can SIGKILL it at exactly that point. Unset in normal use.
enum TestHooks {
    static let stopAtByte: Int? = Sys.environment("SHAREDBLOB_TEST_STOP_AT").flatMap { Int($0) }

    static func stopSelf() {
        Sys.raise(SIGSTOP)
    }
}
