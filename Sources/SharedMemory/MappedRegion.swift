import Glibc
import Platform
import SystemPackage

/// A named segment of exactly `size` bytes with no header: the layout C programs map
/// directly (the source article's record segments). Its size is its only check.
public final class MappedRegion: @unchecked Sendable {
    /// Where it lives.
    public let backing: SegmentBacking
    /// Start of the mapping.
    public let base: UnsafeMutableRawPointer
    /// Its size in bytes.
    public let size: Int
    /// Whether this open created it (zero-filled).
    public let created: Bool
    /// The descriptor the mapping came from (the engine locks it: ``ArticleSegment``).
    let fd: FileDescriptor

    private init(backing: SegmentBacking, fd: FileDescriptor, base: UnsafeMutableRawPointer, size: Int, created: Bool) {
        self.backing = backing
        self.fd = fd
        self.base = base
        self.size = size
        self.created = created
    }

    deinit {
        Sys.munmap(base, size)
        fd.closeQuietly()
    }

    /// Opens or creates a region of exactly `size` bytes.
    ///
    /// - Parameter backing: where the region lives.
    /// - Parameter mode: whether it may or must be created.
    /// - Parameter size: the size an existing object must have and a new one gets; nil
    ///   takes an existing object at whatever size it has (1 byte to
    ///   ``BlobSegment/maxCapacity``), and cannot create.
    /// - Throws: ``SharedMemoryError/foreign(_:reason:)`` when an existing object has
    ///   another size (a different layout).
    public static func open(_ backing: SegmentBacking, size: Int?, mode: BlobSegment.OpenMode) throws(SharedMemoryError) -> MappedRegion {
        precondition(size != nil || mode == .openExisting, "only an existing region can be opened at its own size")
        if let size, !(1 ... BlobSegment.maxCapacity).contains(size) {
            throw .invalidCapacity(size, rule: "it must be between 1 and \(BlobSegment.maxCapacity) bytes")
        }
        var size = size ?? 0
        let sys = backing.systemError
        let (fd, created) = try backing.openObject(mode)
        if !created {
            let st: stat
            do throws(SyscallError) { st = try fd.status() } catch { fd.closeQuietly(); throw sys(error) }
            if let reason = TrustPolicy.current.refusal(owner: st.st_uid, group: st.st_gid, mode: st.st_mode) {
                fd.closeQuietly()
                throw .untrusted(backing, reason: reason)
            }
            let actual = Int(st.st_size)
            guard (st.st_mode & S_IFMT) == S_IFREG else {
                fd.closeQuietly()
                throw .foreign(backing, reason: "it is not a regular file")
            }
            if size == 0 {
                guard (1 ... BlobSegment.maxCapacity).contains(actual) else {
                    fd.closeQuietly()
                    throw .foreign(backing, reason: "it is \(actual) bytes (between 1 and \(BlobSegment.maxCapacity) expected)")
                }
                size = actual
            }
            if actual != size {
                fd.closeQuietly()
                throw .foreign(backing, reason: "it is \(actual) bytes but the layout needs \(size) (a different record layout?)")
            }
        }
        do throws(SyscallError) {
            if created {
                let policy = TrustPolicy.current
                if let gid = policy.sharedGroup { try Sys.changeGroup(fd, gid) }
                try Sys.fchmod(fd, policy.creationMode)
                try Sys.ftruncate(fd, size)
                try Sys.fallocate(fd, size)
            }
            let base = try Sys.mmap(fd, size: size)
            return MappedRegion(backing: backing, fd: fd, base: base, size: size, created: created)
        } catch {
            fd.closeQuietly()
            if created { try? backing.unlinkObject() }
            if error.errno == .noSpace { throw .noSpace(backing, needed: size) }
            throw sys(error)
        }
    }

    /// Removes the named object.
    public static func remove(_ backing: SegmentBacking) throws(SharedMemoryError) {
        do throws(SyscallError) {
            try backing.unlinkObject()
        } catch {
            if error.errno == .noSuchFileOrDirectory { throw .notFound(backing) }
            throw .system(call: error.call, errno: error.errno, backing: backing)
        }
    }
}
