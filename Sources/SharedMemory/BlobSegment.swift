import CAtomics
import Glibc
import Platform
import Synchronization
import SystemPackage

/// A mapped SharedBlob segment: a header, two payload slots and a publish sequence.
///
/// Writers serialize on a robust process-shared mutex in the header (no system call
/// when uncontended; the next writer takes over from one that died holding it) and
/// publish into the slot the readers are not using, so a writer killed at any instant
/// leaves the previous blob intact. Readers take no lock: they copy
/// the latest slot and re-check its sequence (a seqlock), then verify its XXH3-64
/// checksum. The layout is `blob_segment.h`; see DECISIONS.md.
public final class BlobSegment: @unchecked Sendable {
    /// How ``open(_:mode:capacity:force:)`` treats an existing or missing segment.
    public enum OpenMode: Sendable {
        /// Create; fail with ``SharedMemoryError/alreadyExists(_:)`` if it exists.
        case createNew
        /// Open it if it exists, else create it.
        case createOrOpen
        /// Open it; fail with ``SharedMemoryError/notFound(_:)`` if absent.
        case openExisting
    }

    /// The default payload capacity of each slot: 10 MiB of frame.
    public static let defaultCapacity = 10 * 1024 * 1024
    /// How long a publish waits for another writer's lock before giving up (10 s).
    public static let defaultLockTimeout: Duration = .nanoseconds(defaultLockTimeoutNanoseconds)
    /// ``defaultLockTimeout`` in nanoseconds, the form the lock call takes (a constant:
    /// reading it costs no lazy-global check).
    static let defaultLockTimeoutNanoseconds: Int64 = 10_000_000_000

    /// The largest capacity accepted (1 GiB per slot).
    public static let maxCapacity = 1 << 30

    /// Where the segment lives.
    public let backing: SegmentBacking
    /// Payload capacity of each slot, in bytes.
    public let capacity: Int
    /// Size of the whole mapping.
    public let totalSize: Int
    /// Whether this open created (or, with `force`, re-initialized) the segment.
    public let created: Bool

    let fd: FileDescriptor
    let base: UnsafeMutableRawPointer
    /// How many bytes from each payload's start this process has pre-faulted, per
    /// direction (``populateOnce(_:count:forWriting:)``).
    private let populated = Mutex([Int: Int]())
    /// How long the next wait through this handle spins before it sleeps, learnt from
    /// the waits before it (``learnWaitSpin(waited:length:)``); nanoseconds.
    let waitSpinNanoseconds = Atomic<Int>(BlobSegment.waitSpinBase)

    /// Payloads smaller than this are never pre-faulted: the `madvise` call would cost
    /// more than the few page faults it saves.
    static let prefaultThreshold = 256 * 1024

    /// Pre-faults the pages of `start ..< start + count` (a payload in this mapping) the
    /// first time this process uses them, and never again: once present, the page tables
    /// stay, and walking them again costs about 0.4 ms per 10 MiB for nothing. Only the
    /// part beyond what was populated before is asked for; small payloads never are.
    /// `SHAREDBLOB_PREFAULT=0` turns it off.
    func populateOnce(_ start: UnsafeRawPointer, count: Int, forWriting: Bool) {
        guard EnvironmentSwitches.prefault, count >= Self.prefaultThreshold else { return }
        let key = (start - UnsafeRawPointer(base)) * 2 + (forWriting ? 1 : 0)
        let from: Int? = populated.withLock { marks in
            let done = marks[key, default: 0]
            if count <= done { return nil }
            marks[key] = count
            return done
        }
        guard let from else { return }
        Sys.prefault(start + from, count: count - from, forWriting: forWriting)
    }

    private init(backing: SegmentBacking, fd: FileDescriptor, base: UnsafeMutableRawPointer, capacity: Int, totalSize: Int, created: Bool) {
        self.backing = backing
        self.fd = fd
        self.base = base
        self.capacity = capacity
        self.totalSize = totalSize
        self.created = created
    }

    deinit {
        Sys.munmap(base, totalSize)
        fd.closeQuietly()
    }

    // MARK: Opening

    /// Opens or creates a segment.
    ///
    /// - Parameters:
    ///   - backing: where the segment lives (a shared-memory name or a regular file).
    ///   - mode: whether it may or must be created.
    ///   - capacity: per-slot payload capacity, used only when the segment is created.
    ///   - force: re-initialize an existing object that is not a valid segment of this
    ///     version instead of refusing it (its contents are lost).
    public static func open(
        _ backing: SegmentBacking, mode: OpenMode, capacity: Int = defaultCapacity, force: Bool = false
    ) throws(SharedMemoryError) -> BlobSegment {
        guard capacity >= 1, capacity <= maxCapacity else {
            throw .invalidCapacity(capacity, rule: "it must be between 1 and \(maxCapacity) bytes")
        }
        let (fd, created) = try backing.openObject(mode)
        if created { return try initialize(backing, fd: fd, capacity: capacity, removeOnFailure: true) }
        // Its failures have closed the descriptor.
        if let repaired = try completeIfHalfCreated(backing, fd: fd, mode: mode, capacity: capacity) { return repaired }
        do throws(SharedMemoryError) {
            return try attach(backing, fd: fd)
        } catch {
            let repairable: Bool
            switch error {
            case .foreign, .corrupt: repairable = true
            default: repairable = false
            }
            // --force re-initializes only a regular file of ours (attach checked trust first).
            guard force, mode != .openExisting, repairable else {
                fd.closeQuietly()
                throw error
            }
            return try initialize(backing, fd: fd, capacity: capacity, removeOnFailure: false)
        }
    }

    /// Removes a segment. Refuses an object that is not a SharedBlob segment unless `force`.
    public static func remove(_ backing: SegmentBacking, force: Bool = false) throws(SharedMemoryError) {
        if !force {
            do throws(SharedMemoryError) {
                _ = try BlobSegment.open(backing, mode: .openExisting)
            } catch {
                // A half-created segment of ours opens as missing, yet it is there: remove it.
                guard case .notFound = error, exists(backing) else { throw error }
            }
        }
        do throws(SyscallError) {
            try backing.unlinkObject()
        } catch {
            if error.errno == .noSuchFileOrDirectory { throw .notFound(backing) }
            throw .system(call: error.call, errno: error.errno, backing: backing)
        }
    }

    /// Whether a segment (or any object) exists at the backing.
    public static func exists(_ backing: SegmentBacking) -> Bool {
        Sys.exists(backing.fileSystemPath)
    }

    /// A segment of ours whose creator died before finishing it (killed between
    /// `shm_open` and `ftruncate`, or before the header's magic): with `createOrOpen`,
    /// formatted now under the exclusive lock; with `openExisting`, reported missing (a
    /// put will complete it). Nil for anything else, which ``attach(_:fd:)`` judges: a
    /// complete segment, one being formatted right now (its creator holds the lock; this
    /// waits for it), another user's object (never touched), or a foreign one of ours.
    /// Closes `fd` when it throws.
    ///
    /// Half-created means: empty, or a size a segment has (an odd number of pages) with a
    /// header that is all zeros. An article-layout map file is never taken for one.
    private static func completeIfHalfCreated(_ backing: SegmentBacking, fd: FileDescriptor, mode: OpenMode,
                                              capacity: Int) throws(SharedMemoryError) -> BlobSegment? {
        // Only shared-memory objects: a regular file of the user's that happens to be
        // empty or zero-filled (`--file`) is left to `--force`.
        guard case .sharedMemory = backing else { return nil }
        guard let st = try? fd.status(), (st.st_mode & S_IFMT) == S_IFREG, st.st_uid == CurrentProcess.effectiveUserID(),
              TrustPolicy.current.refusal(owner: st.st_uid, group: st.st_gid, mode: st.st_mode) == nil else { return nil }
        if Int(st.st_size) >= SegmentLayout.headerSize && hasMagic(fd: fd) { return nil }
        do throws(SyscallError) { try Sys.flock(fd, LOCK_EX, timeout: defaultLockTimeout) } catch {
            let failure = lockFailure(error, backing, fd: fd)
            fd.closeQuietly()
            throw failure
        }
        guard isHalfCreated(fd: fd) else {
            Sys.unlock(fd)
            return nil
        }
        if mode == .openExisting {
            Sys.unlock(fd)
            fd.closeQuietly()
            throw .notFound(backing)
        }
        // Formats under the lock held here and releases it (closing the descriptor if it fails).
        return try format(backing, fd: fd, capacity: capacity, removeOnFailure: false, locked: true)
    }

    /// What a failed `flock` of the segment means.
    private static func lockFailure(_ error: SyscallError, _ backing: SegmentBacking, fd: FileDescriptor) -> SharedMemoryError {
        if error.errno == .wouldBlock { return .lockTimedOut(backing, holder: Sys.lockHolder(of: fd), waited: defaultLockTimeout) }
        return .system(call: error.call, errno: error.errno, backing: backing)
    }

    /// See ``completeIfHalfCreated(_:fd:mode:capacity:)``; call holding the lock.
    private static func isHalfCreated(fd: FileDescriptor) -> Bool {
        guard let st = try? fd.status() else { return false }
        let size = Int(st.st_size)
        if size == 0 { return true }
        let page = 4096
        guard size >= SegmentLayout.headerSize, size % page == 0, (size / page) % 2 == 1 else { return false }
        var header = [UInt8](repeating: 1, count: SegmentLayout.headerSize)
        let n = header.withUnsafeMutableBytes { try? Sys.pread(fd, into: $0, at: 0) }
        return n == SegmentLayout.headerSize && header.allSatisfy { $0 == 0 }
    }

    /// Sizes, reserves and formats a new segment under an exclusive lock; magic last.
    /// A segment someone else completed meanwhile (a racing opener that found it
    /// half-created) is attached instead of formatted again.
    private static func initialize(
        _ backing: SegmentBacking, fd: FileDescriptor, capacity: Int, removeOnFailure: Bool
    ) throws(SharedMemoryError) -> BlobSegment {
        try format(backing, fd: fd, capacity: capacity, removeOnFailure: removeOnFailure, locked: false)
    }

    private static func format(
        _ backing: SegmentBacking, fd: FileDescriptor, capacity: Int, removeOnFailure: Bool, locked: Bool
    ) throws(SharedMemoryError) -> BlobSegment {
        if !locked {
            do throws(SyscallError) { try Sys.flock(fd, LOCK_EX, timeout: defaultLockTimeout) } catch {
                let failure = lockFailure(error, backing, fd: fd)
                fd.closeQuietly()
                // Timed out: someone holds the lock, so the object is in use (a racing
                // opener completed it and is publishing): never remove it by name then.
                if removeOnFailure && error.errno != .wouldBlock { try? backing.unlinkObject() }
                throw failure
            }
            // A racing opener completed it meanwhile: use it as it is. (Something with our
            // magic that does not attach, what `--force` is for, is formatted below.)
            if hasMagic(fd: fd), let completed = try? attach(backing, fd: fd) {
                Sys.unlock(fd)
                return completed
            }
        }
        let total = SegmentLayout.totalSize(capacity: capacity)
        var mapped: UnsafeMutableRawPointer?
        do throws(SyscallError) {
            defer { Sys.unlock(fd) }
            let policy = TrustPolicy.current
            if let gid = policy.sharedGroup { try Sys.changeGroup(fd, gid) }
            try Sys.fchmod(fd, policy.creationMode)
            try Sys.ftruncate(fd, 0)  // drop a foreign object's old pages first
            try Sys.ftruncate(fd, total)
            try Sys.fallocate(fd, total)
            let base = try Sys.mmap(fd, size: total)
            mapped = base
            memset(base, 0, SegmentLayout.headerSize)
            let lockStatus = catomics_writer_lock_init(base + SegmentLayout.writerLockOffset)
            if lockStatus != 0 { throw SyscallError(call: "pthread_mutex_init", errno: Errno(rawValue: lockStatus)) }
            base.storeBytes(of: SegmentLayout.version, toByteOffset: SegmentLayout.versionOffset, as: UInt32.self)
            base.storeBytes(of: UInt32(SegmentLayout.headerSize), toByteOffset: SegmentLayout.headerSizeOffset, as: UInt32.self)
            base.storeBytes(of: UInt64(capacity), toByteOffset: SegmentLayout.capacityOffset, as: UInt64.self)
            base.storeBytes(of: UInt64(total), toByteOffset: SegmentLayout.totalSizeOffset, as: UInt64.self)
            base.storeBytes(of: UInt32(SegmentLayout.slotCount), toByteOffset: SegmentLayout.slotCountOffset, as: UInt32.self)
            for i in 0 ..< SegmentLayout.slotCount {
                let d = SegmentLayout.slotDescriptorOffset(i)
                base.storeBytes(of: UInt64(SegmentLayout.payloadOffset(capacity: capacity, slot: i)),
                                toByteOffset: d + SegmentLayout.slotPayloadOffset, as: UInt64.self)
            }
            catomics_store_release_u64(base + SegmentLayout.magicOffset, SegmentLayout.magic)
            return BlobSegment(backing: backing, fd: fd, base: base, capacity: capacity, totalSize: total, created: true)
        } catch {
            if let mapped { Sys.munmap(mapped, total) }
            fd.closeQuietly()
            if removeOnFailure { try? backing.unlinkObject() }
            if error.errno == .noSpace { throw .noSpace(backing, needed: total) }
            if error.errno == .wouldBlock { throw .lockTimedOut(backing, holder: nil, waited: defaultLockTimeout) }
            throw .system(call: error.call, errno: error.errno, backing: backing)
        }
    }

    /// Maps an existing object and checks that it is a segment of this version.
    private static func attach(_ backing: SegmentBacking, fd: FileDescriptor) throws(SharedMemoryError) -> BlobSegment {
        do {
            var st = try fd.status()
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                throw SharedMemoryError.foreign(backing, reason: "it is not a regular file")
            }
            if let reason = TrustPolicy.current.refusal(owner: st.st_uid, group: st.st_gid, mode: st.st_mode) {
                throw SharedMemoryError.untrusted(backing, reason: reason)
            }
            if Int(st.st_size) < SegmentLayout.headerSize || !hasMagic(fd: fd) {
                // A creator may be formatting it right now: it holds the lock until done.
                do throws(SyscallError) {
                    try Sys.flock(fd, LOCK_SH, timeout: defaultLockTimeout)
                } catch {
                    if error.errno == .wouldBlock {
                        throw SharedMemoryError.lockTimedOut(backing, holder: Sys.lockHolder(of: fd), waited: defaultLockTimeout)
                    }
                    throw error
                }
                Sys.unlock(fd)
                st = try fd.status()
            }
            let size = Int(st.st_size)
            guard size >= SegmentLayout.headerSize else {
                throw SharedMemoryError.foreign(backing, reason: "it is \(size) bytes, smaller than the \(SegmentLayout.headerSize)-byte header")
            }
            let base = try Sys.mmap(fd, size: size)
            let header = base
            func fail(_ reason: String) -> SharedMemoryError {
                Sys.munmap(base, size)
                return .foreign(backing, reason: reason)
            }
            let magic = catomics_load_acquire_u64(header + SegmentLayout.magicOffset)
            guard magic == SegmentLayout.magic else {
                throw fail(magic == 0 ? "its header was never completed (a creator died?)" : "wrong magic number")
            }
            let version = header.load(fromByteOffset: SegmentLayout.versionOffset, as: UInt32.self)
            guard version == SegmentLayout.version else { throw fail("layout version \(version), expected \(SegmentLayout.version)") }
            let headerSize = header.load(fromByteOffset: SegmentLayout.headerSizeOffset, as: UInt32.self)
            guard headerSize == UInt32(SegmentLayout.headerSize) else { throw fail("header size \(headerSize), expected \(SegmentLayout.headerSize)") }
            let slots = header.load(fromByteOffset: SegmentLayout.slotCountOffset, as: UInt32.self)
            guard slots == UInt32(SegmentLayout.slotCount) else { throw fail("\(slots) slots, expected \(SegmentLayout.slotCount)") }
            let capacity = header.load(fromByteOffset: SegmentLayout.capacityOffset, as: UInt64.self)
            guard capacity >= 1, capacity <= UInt64(maxCapacity) else { throw fail("capacity \(capacity) out of range") }
            let total = header.load(fromByteOffset: SegmentLayout.totalSizeOffset, as: UInt64.self)
            let expected = SegmentLayout.totalSize(capacity: Int(capacity))
            guard total == UInt64(expected), size == expected else {
                throw fail("size \(size) does not match the header (capacity \(capacity) needs \(expected))")
            }
            return BlobSegment(backing: backing, fd: fd, base: base, capacity: Int(capacity), totalSize: size, created: false)
        } catch let error as SharedMemoryError {
            throw error
        } catch let error as SyscallError {
            throw .system(call: error.call, errno: error.errno, backing: backing)
        } catch {
            preconditionFailure("unexpected \(error)")
        }
    }

    private static func hasMagic(fd: FileDescriptor) -> Bool {
        var magic: UInt64 = 0
        let n = withUnsafeMutableBytes(of: &magic) { try? Sys.pread(fd, into: $0, at: SegmentLayout.magicOffset) }
        return n == 8 && magic == SegmentLayout.magic
    }

    // MARK: Header fields

    /// Whether the object this mapping belongs to was removed (`rm`, `shm_unlink`) since
    /// it was opened: it has no name left, even if a new segment now has the same one.
    public var isRemoved: Bool {
        guard let st = try? fd.status() else { return true }
        return st.st_nlink == 0
    }

    /// The sequence number of the latest complete publish; 0 when nothing was published.
    public var publishedSequence: UInt64 { catomics_load_acquire_u64(base + SegmentLayout.publishedOffset) }

    func slotBase(_ index: Int) -> UnsafeMutableRawPointer { base + SegmentLayout.slotDescriptorOffset(index) }
}
