import CAtomics
import CBlobMutex
import Glibc

/// A robust, process-shared mutex in its own named shared-memory object.
///
/// When a holder dies holding it, the next locker acquires it and learns so
/// (``LockResult/previousOwnerDied``), so it can check the data it guards; the mutex is
/// made consistent on the spot and stays usable. The same object is reachable from C
/// through `blob_mutex.h`.
public final class NamedMutex: @unchecked Sendable {
    /// How a lock was obtained.
    public enum LockResult: Equatable, Sendable {
        /// Normally.
        case acquired
        /// The previous holder died holding it: check the guarded data.
        case previousOwnerDied
    }

    /// The object's name.
    public let name: SegmentName
    private let handle: OpaquePointer

    /// Opens the named mutex, creating it if `create` and absent.
    ///
    /// The corresponding C function is `blob_mutex_open`.
    public init(_ name: SegmentName, create: Bool = true) throws(SharedMemoryError) {
        self.name = name
        guard let h = blob_mutex_open(name.rawValue, create ? 1 : 0) else {
            let e = catomics_errno()
            if e == ENOENT { throw .notFound(.sharedMemory(name)) }
            if e == EINVAL { throw .foreign(.sharedMemory(name), reason: "it is not a blob mutex") }
            if e == EPERM {
                throw .untrusted(.sharedMemory(name), reason: "it belongs to another user or others may write it "
                                 + "(its owner could hold it for ever or forge what it guards)")
            }
            throw .system(call: "blob_mutex_open", errno: .init(rawValue: e), backing: .sharedMemory(name))
        }
        handle = h
    }

    deinit { blob_mutex_close(handle) }

    /// Blocks until the mutex is held. The corresponding C function is `blob_mutex_lock`.
    public func lock() throws(SharedMemoryError) -> LockResult {
        try result(blob_mutex_lock(handle))!
    }

    /// Takes the mutex only if it is free; nil when someone else holds it.
    public func tryLock() throws(SharedMemoryError) -> LockResult? {
        try result(blob_mutex_trylock(handle))
    }

    /// Waits at most `timeout`; nil when it ran out.
    public func lock(timeout: Duration) throws(SharedMemoryError) -> LockResult? {
        try result(blob_mutex_timedlock(handle, BlobSegment.nanoseconds(timeout)))
    }

    /// Releases the mutex. The corresponding C function is `blob_mutex_unlock`.
    public func unlock() throws(SharedMemoryError) {
        let r = blob_mutex_unlock(handle)
        if r != 0 { throw .system(call: "pthread_mutex_unlock", errno: .init(rawValue: r), backing: .sharedMemory(name)) }
    }

    /// Runs `body` holding the mutex.
    public func withLock<R>(_ body: (LockResult) throws -> R) throws -> R {
        let how = try lock()
        defer { try? unlock() }
        return try body(how)
    }

    /// Runs `body` holding the mutex, waiting for it at most `timeout`.
    ///
    /// - Throws: ``SharedMemoryError/lockTimedOut(_:holder:waited:)`` when it ran out.
    public func withLock<R>(timeout: Duration, _ body: (LockResult) throws -> R) throws -> R {
        guard let how = try lock(timeout: timeout) else {
            throw SharedMemoryError.lockTimedOut(.sharedMemory(name), holder: nil, waited: timeout)
        }
        defer { try? unlock() }
        return try body(how)
    }

    /// Removes the named object (handles stay usable until closed).
    public static func remove(_ name: SegmentName) throws(SharedMemoryError) {
        let r = blob_mutex_remove(name.rawValue)
        if r == ENOENT { throw .notFound(.sharedMemory(name)) }
        if r != 0 { throw .system(call: "shm_unlink", errno: .init(rawValue: r), backing: .sharedMemory(name)) }
    }

    private func result(_ r: Int32) throws(SharedMemoryError) -> LockResult? {
        switch r {
        case BLOB_MUTEX_OK: return .acquired
        case BLOB_MUTEX_OWNER_DIED: return .previousOwnerDied
        case BLOB_MUTEX_BUSY, BLOB_MUTEX_TIMEOUT: return nil
        default: throw .system(call: "pthread_mutex_lock", errno: .init(rawValue: r), backing: .sharedMemory(name))
        }
    }
}
