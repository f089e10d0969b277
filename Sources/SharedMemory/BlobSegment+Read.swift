import CAtomics
import Glibc
import Hashing

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
                memcpy(dst + done, payload + done, n)
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

    /// The header fields and the latest blob's metadata and first bytes, without
    /// copying (or checksumming) the payload.
    public func info() throws(SharedMemoryError) -> SegmentInfo {
        var prefix = [UInt8]()
        let latest = try readStable { metadata, payload throws(SharedMemoryError) in
            prefix = Array(UnsafeRawBufferPointer(start: payload, count: min(metadata.length, Self.peekLength)))
            return nil
        }
        return SegmentInfo(
            backing: backing, version: SegmentLayout.version, headerSize: SegmentLayout.headerSize, capacity: capacity,
            totalSize: totalSize, publishedSequence: publishedSequence, latest: latest, latestPrefix: prefix)
    }

    /// The seqlock read: finds the latest slot, checks its descriptor against the
    /// mapping, lets `body` copy from the payload, then confirms no writer touched the
    /// slot meanwhile. `body` returns the checksum of what it copied, or nil to skip
    /// verification.
    func readStable(
        _ body: (BlobMetadata, UnsafeRawPointer) throws(SharedMemoryError) -> UInt64?
    ) throws(SharedMemoryError) -> BlobMetadata? {
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
                catomics_fence_acquire()
                if catomics_load_acquire_u64(d + SegmentLayout.slotSequence) == sequence {
                    throw .corrupt(backing, reason: "blob \(sequence) claims \(length) bytes at offset \(offset), outside the \(totalSize)-byte segment")
                }
                continue
            }
            let actual = try body(metadata, UnsafeRawPointer(base + Int(offset)))
            catomics_fence_acquire()
            if catomics_load_acquire_u64(d + SegmentLayout.slotSequence) != sequence { continue }
            if let actual, actual != metadata.checksum {
                throw .checksumMismatch(sequence: sequence, expected: metadata.checksum, actual: actual)
            }
            return metadata
        }
        throw .busy
    }
}
