import CAtomics
import Glibc
import Platform
import SystemPackage

// The OS boundary of SharedMemory: every system call the module makes is wrapped
// once here, with Platform's one EINTR rule (`retryingEINTR`) and its error type. Nothing else
// in the module calls shm_open, mmap, flock, pread, access, inotify or a clock.
// (The robust mutex is C, in CBlobMutex; the futex and atomics are C, in CAtomics.)

/// A failed system call (the one error type of the OS boundaries, in Platform).
typealias SyscallError = SystemCallError

/// The CPUs the calling thread may run on.
public enum ThreadAffinity {
    /// Restricts the calling thread to `cpus` (`sched_setaffinity`; a benchmark pins its
    /// processes). Through here, rather than the C call, this process's readers and
    /// writers see the new mask at once: they keep its CPU count for a second otherwise.
    /// False when the kernel refused (none of `cpus` is allowed, say).
    @discardableResult
    public static func set(_ cpus: [Int]) -> Bool {
        let list = cpus.map { Int32(clamping: $0) }
        return catomics_set_allowed_cpus(list, Int32(list.count)) == 0
    }
}

enum Sys {
    /// The corresponding C function is `shm_open`.
    static func shmOpen(_ name: String, flags: Int32, mode: mode_t) throws(SyscallError) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingEINTR("shm_open") { shm_open("/" + name, flags, mode) })
    }

    /// The corresponding C function is `shm_unlink`.
    static func shmUnlink(_ name: String) throws(SyscallError) {
        _ = try retryingEINTR("shm_unlink") { shm_unlink("/" + name) }
    }

    /// Opens with `O_CLOEXEC` added (`flags` are `open`'s). The corresponding C function is `open`.
    static func open(_ path: String, flags: Int32, mode: mode_t) throws(SyscallError) -> FileDescriptor {
        try systemCall("open") {
            try path.withCString {
                try FileDescriptor.open($0, FileDescriptor.AccessMode(rawValue: flags & O_ACCMODE),
                                        options: FileDescriptor.OpenOptions(rawValue: (flags & ~O_ACCMODE) | O_CLOEXEC),
                                        permissions: FilePermissions(rawValue: mode))
            }
        }
    }

    /// The corresponding C function is `unlink`.
    static func unlink(_ path: String) throws(SyscallError) {
        _ = try retryingEINTR("unlink") { Glibc.unlink(path) }
    }

    /// Whether anything exists at `path` (following links).
    /// The corresponding C function is `access(path, F_OK)`.
    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    /// Reads up to `buffer.count` bytes at `offset`; the count read.
    /// The corresponding C function is `pread`.
    static func pread(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) throws(SyscallError) -> Int {
        try systemCall("pread") { try fd.read(fromAbsoluteOffset: Int64(offset), into: buffer) }
    }

    /// The corresponding C function is `fchmod`.
    static func fchmod(_ fd: FileDescriptor, _ mode: mode_t) throws(SyscallError) {
        _ = try retryingEINTR("fchmod") { Glibc.fchmod(fd.rawValue, mode) }
    }

    /// The corresponding C function is `ftruncate`.
    static func ftruncate(_ fd: FileDescriptor, _ size: Int) throws(SyscallError) {
        _ = try retryingEINTR("ftruncate") { Glibc.ftruncate(fd.rawValue, off_t(size)) }
    }

    /// Reserves the pages now, so a full /dev/shm is ENOSPC here and not SIGBUS later.
    /// The corresponding C function is `posix_fallocate` (which returns the error).
    static func fallocate(_ fd: FileDescriptor, _ size: Int) throws(SyscallError) {
        while true {
            let r = posix_fallocate(fd.rawValue, 0, off_t(size))
            if r == 0 { return }
            if r != EINTR { throw SyscallError(call: "posix_fallocate", errno: Errno(rawValue: r)) }
        }
    }

    /// A shared read-write mapping of the whole object. The corresponding C function is `mmap`.
    static func mmap(_ fd: FileDescriptor, size: Int) throws(SyscallError) -> UnsafeMutableRawPointer {
        let p = Glibc.mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd.rawValue, 0)
        if p == nil || p == UnsafeMutableRawPointer(bitPattern: -1) {
            throw SyscallError(call: "mmap", errno: Errno(rawValue: catomics_errno()))
        }
        return p!
    }

    /// The corresponding C function is `munmap`.
    static func munmap(_ p: UnsafeMutableRawPointer, _ size: Int) {
        _ = Glibc.munmap(p, size)
    }

    /// Takes a `flock` (`op`: LOCK_EX or LOCK_SH), waiting at most `timeout`: tries
    /// without blocking, then again after pauses that grow from 1 ms to 50 ms (flock has
    /// no timed form). Throws EWOULDBLOCK when the time runs out.
    /// The corresponding C function is `flock(fd, op | LOCK_NB)`.
    static func flock(_ fd: FileDescriptor, _ op: Int32, timeout: Duration) throws(SyscallError) {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        var pause: Int32 = 1
        while true {
            if catomics_flock(fd.rawValue, op | LOCK_NB) == 0 { return }
            let e = catomics_errno()
            if e != EWOULDBLOCK && e != EINTR { throw SyscallError(call: "flock", errno: Errno(rawValue: e)) }
            if clock.now >= deadline { throw SyscallError(call: "flock", errno: .wouldBlock) }
            var none = pollfd(fd: -1, events: 0, revents: 0)
            _ = poll(&none, 0, pause)  // a pause between tries, bounded by the deadline
            pause = min(pause * 2, 50)
        }
    }

    /// The pid holding a `flock` on the file behind `fd`, from `/proc/locks`; nil if the
    /// kernel does not say. The corresponding C functions are `fstat` and `read`.
    static func lockHolder(of fd: FileDescriptor) -> Int32? {
        guard let st = try? fd.status(), let locks = try? open("/proc/locks", flags: O_RDONLY, mode: 0) else { return nil }
        defer { locks.closeQuietly() }
        var data = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = (try? buf.withUnsafeMutableBytes { (b) throws(SyscallError) in try systemCall("read") { try locks.read(into: b) } }) ?? 0
            if n <= 0 { break }
            data += buf[0 ..< n]
        }
        // "1: FLOCK  ADVISORY  WRITE 12345 00:1a:67890 0 EOF": pid, then major:minor:inode.
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: " ")
            guard fields.count >= 6, fields[1] == "FLOCK", let pid = Int32(fields[4]),
                  let inode = fields[5].split(separator: ":").last.flatMap({ UInt64($0) }),
                  inode == UInt64(st.st_ino) else { continue }
            return pid
        }
        return nil
    }

    /// The corresponding C function is `flock(fd, LOCK_UN)`.
    static func unlock(_ fd: FileDescriptor) {
        _ = catomics_flock(fd.rawValue, LOCK_UN)
    }

    /// Wall-clock time for the publish timestamp (not for measuring intervals: those use
    /// `ContinuousClock`). The corresponding C function is `clock_gettime(CLOCK_REALTIME)`.
    static func realtimeNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    /// Lets another process run: a yield for the first few `attempt`s, then a 1 ms sleep,
    /// so a retry loop waiting for a writer neither spins nor stalls. The corresponding C
    /// functions are `sched_yield` and `usleep`.
    static func backOff(attempt: Int) {
        if attempt < 4 { sched_yield() } else { usleep(1000) }
    }

    /// Gives the CPU to another runnable thread, if one waits (`sched_yield`).
    static func yield() { sched_yield() }

    /// Whether this thread may run on more than one CPU (its `sched_getaffinity` mask, as
    /// it was at most a second ago), so that spinning beside another process cannot take
    /// that process's CPU.
    static func mayRunOnSeveralCPUs() -> Bool { catomics_allowed_cpus() > 1 }

    /// Sleeps for a polling interval (never for synchronization: a poll looks again after
    /// it). The corresponding C function is `usleep`.
    static func nap(milliseconds: Int) { usleep(useconds_t(max(0, milliseconds) * 1000)) }

    /// The current process id, asked of the kernel once (again after a fork). The
    /// corresponding C function is `getpid`.
    static func processID() -> Int32 { catomics_process_id() }

    /// Blocks until `exists()` holds or something is created or moved into `directory`,
    /// at most `milliseconds`. Returns at once when `exists()` already holds.
    /// The corresponding C functions are `inotify_init1`, `inotify_add_watch` and `poll`.
    static func waitForEntry(in directory: String, milliseconds: Int32, exists: () -> Bool) {
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else {
            // No inotify (limits reached): fall back to a bounded wait on nothing.
            var none = pollfd(fd: -1, events: 0, revents: 0)
            _ = poll(&none, 0, milliseconds)
            return
        }
        defer { Glibc.close(fd) }
        _ = inotify_add_watch(fd, directory, UInt32(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE))
        if exists() { return }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&p, 1, milliseconds)
    }

    /// Faults in the pages of `[start, start + count)` in one call, so the copy or hash
    /// that follows does not take one page fault per 4 KiB. Best effort: a kernel without
    /// MADV_POPULATE_* (before Linux 5.14) just leaves the faults to happen later.
    /// The corresponding C function is `madvise(MADV_POPULATE_READ / _WRITE)`.
    static func prefault(_ start: UnsafeRawPointer, count: Int, forWriting: Bool) {
        guard count > 0 else { return }
        let page = 4096
        let first = Int(bitPattern: start) & ~(page - 1)
        let end = Int(bitPattern: start) + count
        let advice = forWriting ? 23 : 22  // MADV_POPULATE_WRITE, MADV_POPULATE_READ (not imported)
        _ = madvise(UnsafeMutableRawPointer(bitPattern: first), end - first, Int32(advice))
    }


    /// A user's name, or its number when it has none. The corresponding C function is `getpwuid_r`.
    static func userName(_ uid: UInt32) -> String {
        var pw = passwd(), result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 4096)
        guard getpwuid_r(uid, &pw, &buf, buf.count, &result) == 0, result != nil, let name = pw.pw_name else { return String(uid) }
        return String(cString: name)
    }

    /// A group's name, or its number. The corresponding C function is `getgrgid_r`.
    static func groupName(_ gid: UInt32) -> String {
        var gr = group(), result: UnsafeMutablePointer<group>?
        var buf = [CChar](repeating: 0, count: 4096)
        guard getgrgid_r(gid, &gr, &buf, buf.count, &result) == 0, result != nil, let name = gr.gr_name else { return String(gid) }
        return String(cString: name)
    }

    /// A user id by name (or a number). The corresponding C function is `getpwnam_r`.
    static func userID(named name: String) -> UInt32? {
        if let n = UInt32(name) { return n }
        var pw = passwd(), result: UnsafeMutablePointer<passwd>?
        var buf = [CChar](repeating: 0, count: 4096)
        guard getpwnam_r(name, &pw, &buf, buf.count, &result) == 0, result != nil else { return nil }
        return pw.pw_uid
    }

    /// A group id by name (or a number). The corresponding C function is `getgrnam_r`.
    static func groupID(named name: String) -> UInt32? {
        if let n = UInt32(name) { return n }
        var gr = group(), result: UnsafeMutablePointer<group>?
        var buf = [CChar](repeating: 0, count: 4096)
        guard getgrnam_r(name, &gr, &buf, buf.count, &result) == 0, result != nil else { return nil }
        return gr.gr_gid
    }

    /// The corresponding C function is `fchown` (group only).
    static func changeGroup(_ fd: FileDescriptor, _ gid: UInt32) throws(SyscallError) {
        _ = try retryingEINTR("fchown") { fchown(fd.rawValue, UInt32.max, gid) }
    }

    /// The corresponding C function is `raise`.
    static func raise(_ signal: Int32) { _ = Glibc.raise(signal) }
}

extension SegmentBacking {
    /// Opens the object behind the backing (mode 0600 when created).
    func openDescriptor(flags: Int32) throws(SyscallError) -> FileDescriptor {
        switch self {
        case let .sharedMemory(name): return try Sys.shmOpen(name.rawValue, flags: flags, mode: 0o600)
        // Never through a symbolic link: --file names the object itself.
        case let .file(path): return try Sys.open(path, flags: flags | O_NOFOLLOW, mode: 0o600)
        }
    }

    /// Removes the object behind the backing.
    func unlinkObject() throws(SyscallError) {
        switch self {
        case let .sharedMemory(name): try Sys.shmUnlink(name.rawValue)
        case let .file(path): try Sys.unlink(path)
        }
    }

    /// The path of the object in the file system.
    var fileSystemPath: String {
        switch self {
        case let .sharedMemory(name): return "/dev/shm/" + name.rawValue
        case let .file(path): return path
        }
    }

    /// The directory whose entries change when the object is created.
    var parentDirectory: String {
        let path = fileSystemPath
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }
}
