import CShims
import Glibc

// Every raw system call of the module, each wrapped once, with the EINTR retry in
// one helper. Nothing else in SharedMemory calls shm_open, mmap, flock directly.

/// A failed system call: its name and errno.
struct SyscallError: Error {
    var call: String
    var errno: Int32
}

/// Retries `body` while it fails with EINTR; returns its result or throws its errno.
@inline(__always)
func retryingEINTR<T: BinaryInteger>(_ call: String, _ body: () -> T) throws(SyscallError) -> T {
    while true {
        let r = body()
        if r != -1 { return r }
        let e = cshims_errno()
        if e != EINTR { throw SyscallError(call: call, errno: e) }
    }
}

enum Sys {
    static func shmOpen(_ name: String, flags: Int32, mode: mode_t) throws(SyscallError) -> Int32 {
        try retryingEINTR("shm_open") { shm_open("/" + name, flags, mode) }
    }

    static func shmUnlink(_ name: String) throws(SyscallError) {
        _ = try retryingEINTR("shm_unlink") { shm_unlink("/" + name) }
    }

    static func open(_ path: String, flags: Int32, mode: mode_t) throws(SyscallError) -> Int32 {
        try retryingEINTR("open") { Glibc.open(path, flags | O_CLOEXEC, mode) }
    }

    static func unlink(_ path: String) throws(SyscallError) {
        _ = try retryingEINTR("unlink") { Glibc.unlink(path) }
    }

    static func close(_ fd: Int32) {
        _ = Glibc.close(fd)  // never retried: the descriptor is gone either way on Linux
    }

    static func fstat(_ fd: Int32) throws(SyscallError) -> stat {
        var st = stat()
        _ = try retryingEINTR("fstat") { Glibc.fstat(fd, &st) }
        return st
    }

    static func fchmod(_ fd: Int32, _ mode: mode_t) throws(SyscallError) {
        _ = try retryingEINTR("fchmod") { Glibc.fchmod(fd, mode) }
    }

    static func ftruncate(_ fd: Int32, _ size: Int) throws(SyscallError) {
        _ = try retryingEINTR("ftruncate") { Glibc.ftruncate(fd, off_t(size)) }
    }

    /// Reserves the pages now, so a full /dev/shm is ENOSPC here and not SIGBUS later.
    static func fallocate(_ fd: Int32, _ size: Int) throws(SyscallError) {
        while true {
            let r = posix_fallocate(fd, 0, off_t(size))  // returns the error, not -1
            if r == 0 { return }
            if r != EINTR { throw SyscallError(call: "posix_fallocate", errno: r) }
        }
    }

    static func mmap(_ fd: Int32, size: Int) throws(SyscallError) -> UnsafeMutableRawPointer {
        let p = Glibc.mmap(nil, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)
        if p == nil || p == UnsafeMutableRawPointer(bitPattern: -1) {
            throw SyscallError(call: "mmap", errno: cshims_errno())
        }
        return p!
    }

    static func munmap(_ p: UnsafeMutableRawPointer, _ size: Int) {
        _ = Glibc.munmap(p, size)
    }

    static func flock(_ fd: Int32, _ op: Int32) throws(SyscallError) {
        _ = try retryingEINTR("flock") { cshims_flock(fd, op) }
    }

    static func unlock(_ fd: Int32) {
        _ = cshims_flock(fd, LOCK_UN)
    }

    static func realtimeNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func monotonicNanoseconds() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}


extension SegmentBacking {
    /// Opens the object behind the backing (mode 0600 when created).
    func openDescriptor(flags: Int32) throws(SyscallError) -> Int32 {
        switch self {
        case let .sharedMemory(name): return try Sys.shmOpen(name.rawValue, flags: flags, mode: 0o600)
        case let .file(path): return try Sys.open(path, flags: flags, mode: 0o600)
        }
    }

    /// Removes the object behind the backing.
    func unlinkObject() throws(SyscallError) {
        switch self {
        case let .sharedMemory(name): try Sys.shmUnlink(name.rawValue)
        case let .file(path): try Sys.unlink(path)
        }
    }
}
