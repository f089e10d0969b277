import Glibc
import SystemPackage

extension SegmentBacking {
    /// The descriptor of the object behind the backing, as `mode` allows: created
    /// exclusively when it may be (`created`: new and empty, for the caller to size and
    /// format), else the existing one. Failures in the engine's words: already exists
    /// (`createNew`), not found, a symbolic link, or the system call's error. The one
    /// place BlobSegment and MappedRegion open their objects.
    func openObject(_ mode: BlobSegment.OpenMode) throws(SharedMemoryError) -> (fd: FileDescriptor, created: Bool) {
        if mode != .openExisting {
            do throws(SyscallError) {
                return (try openDescriptor(flags: O_CREAT | O_EXCL | O_RDWR), true)
            } catch {
                if error.errno != .fileExists { throw systemError(error) }
                if mode == .createNew { throw .alreadyExists(self) }
            }
        }
        do throws(SyscallError) {
            return (try openDescriptor(flags: O_RDWR), false)
        } catch {
            if error.errno == .noSuchFileOrDirectory { throw .notFound(self) }
            if error.errno == .tooManySymbolicLinkLevels {
                throw .foreign(self, reason: "it is a symbolic link (give the path of the file itself)")
            }
            throw systemError(error)
        }
    }

    /// A failed system call on this backing, as the engine reports it.
    func systemError(_ e: SyscallError) -> SharedMemoryError { .system(call: e.call, errno: e.errno, backing: self) }
}
