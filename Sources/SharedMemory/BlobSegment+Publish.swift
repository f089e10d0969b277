import BlobCodec
import CShims
import Glibc
import Hashing

extension BlobSegment {
    /// Publishes an ImageData frame (path label and content), framed straight into the
    /// segment without an intermediate buffer.
    ///
    /// - Throws: ``SharedMemoryError/tooLarge(length:capacity:)`` before touching the
    ///   segment when the frame does not fit; the previous blob stays readable.
    public func publishFrame(path: String, content: UnsafeRawBufferPointer) throws(SharedMemoryError) -> PublishReceipt {
        let pathBytes = Array(path.utf8)
        let frameLength: Int
        do throws(BlobCodecError) {
            frameLength = try BlobCodec.encodedSize(pathByteCount: pathBytes.count, contentByteCount: content.count)
        } catch {
            throw .tooLarge(length: pathBytes.count + content.count + BlobCodec.overhead, capacity: capacity)
        }
        guard frameLength <= capacity else { throw .tooLarge(length: frameLength, capacity: capacity) }
        var prefix = [UInt8](repeating: 0, count: pathBytes.count + 8)
        prefix.withUnsafeMutableBytes { dst in
            _ = try! BlobCodec.writePrefix(pathUTF8: pathBytes, contentByteCount: content.count, into: dst)
        }
        return try withBytes(prefix) { (p: UnsafeRawBufferPointer) throws(SharedMemoryError) -> PublishReceipt in
            try publish(kind: .imageData, parts: [p, content])
        }
    }

    /// Publishes a payload made of `parts` laid end to end.
    ///
    /// The bytes go into the slot readers are not using; the sequence flips only when
    /// the payload and its checksum are complete, so a writer killed at any point leaves
    /// the previous blob intact. Waiting readers are woken.
    public func publish(kind: BlobKind, parts: [UnsafeRawBufferPointer]) throws(SharedMemoryError) -> PublishReceipt {
        let length = parts.reduce(0) { $0 + $1.count }
        guard length <= capacity else { throw .tooLarge(length: length, capacity: capacity) }
        pthread_mutex_lock(&publishMutex)
        defer { pthread_mutex_unlock(&publishMutex) }
        do throws(SyscallError) {
            try Sys.flock(fd, LOCK_EX)
        } catch {
            throw .system(call: error.call, errno: error.errno, backing: backing)
        }
        defer { Sys.unlock(fd) }

        let sequence = publishedSequence &+ 1
        let slot = Int(sequence % UInt64(Layout.slotCount))
        let d = slotBase(slot)
        let payloadOffset = Layout.payloadOffset(capacity: capacity, slot: slot)
        cshims_store_relaxed_u64(d + Layout.slotSequence, Layout.busy)
        cshims_fence_release()

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
            publishTimeNanoseconds: Sys.realtimeNanoseconds(), writerPID: getpid())
        d.storeBytes(of: UInt64(payloadOffset), toByteOffset: Layout.slotPayloadOffset, as: UInt64.self)
        d.storeBytes(of: UInt64(length), toByteOffset: Layout.slotLength, as: UInt64.self)
        d.storeBytes(of: metadata.checksum, toByteOffset: Layout.slotChecksum, as: UInt64.self)
        d.storeBytes(of: metadata.publishTimeNanoseconds, toByteOffset: Layout.slotTime, as: Int64.self)
        d.storeBytes(of: metadata.writerPID, toByteOffset: Layout.slotPid, as: Int32.self)
        d.storeBytes(of: kind.rawValue, toByteOffset: Layout.slotKind, as: UInt32.self)
        cshims_store_release_u64(d + Layout.slotSequence, sequence)
        cshims_store_release_u64(base + Layout.publishedOffset, sequence)
        cshims_store_release_u32(base + Layout.wakeOffset, UInt32(truncatingIfNeeded: sequence))
        _ = cshims_futex_wake_all(base + Layout.wakeOffset)
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
    static let stopAtByte: Int? = {
        guard let raw = getenv("SHAREDBLOB_TEST_STOP_AT") else { return nil }
        return Int(String(cString: raw))
    }()

    static func stopSelf() {
        raise(SIGSTOP)
    }
}
