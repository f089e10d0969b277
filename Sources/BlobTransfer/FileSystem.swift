import Glibc
import Platform
import SafeText
import SystemPackage

// The OS boundary of BlobTransfer: every system call the services make on files and
// directories is wrapped once here, with Platform's one EINTR rule and its error type.

/// A failed file-system call (the one error type of the OS boundaries, in Platform).
typealias FileSystemError = SystemCallError

enum FS {
    /// Opens with `O_CLOEXEC` added. The corresponding C function is `open`.
    static func open(_ path: String, _ flags: Int32, mode: mode_t = 0) throws(FileSystemError) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingEINTR { RawPath.withCString(path) { Glibc.open($0, flags | O_CLOEXEC, mode) } })
    }

    /// Opens what an `O_PATH` descriptor refers to (never a path looked up again).
    /// The corresponding C function is `open` on `/proc/self/fd/N`.
    static func reopen(_ handle: FileDescriptor, _ flags: Int32) throws(FileSystemError) -> FileDescriptor {
        FileDescriptor(rawValue: try retryingEINTR { Glibc.open("/proc/self/fd/\(handle.rawValue)", flags | O_CLOEXEC) })
    }


    /// Reads at most `buffer.count` bytes; 0 at end of file. The corresponding C function is `read`.
    static func read(_ fd: FileDescriptor, into buffer: UnsafeMutableRawBufferPointer) throws(FileSystemError) -> Int {
        try systemCall("read") { try fd.read(into: buffer) }
    }

    /// Writes at most `buffer.count` bytes; the count written. The corresponding C function is `write`.
    static func write(_ fd: FileDescriptor, _ buffer: UnsafeRawBufferPointer) throws(FileSystemError) -> Int {
        try systemCall("write") { try fd.write(buffer) }
    }

    /// Writes at most `buffer.count` bytes to a non-blocking descriptor (a FIFO, a
    /// device), waiting while it accepts nothing, at most `seconds` in one stretch; nil
    /// when that ran out. The corresponding C functions are `write` and `poll`.
    static func write(_ fd: FileDescriptor, _ buffer: UnsafeRawBufferPointer, waitingAtMost seconds: Double) throws(FileSystemError) -> Int? {
        var waited = 0.0
        while true {
            do throws(FileSystemError) {
                return try write(fd, buffer)
            } catch {
                if error.errno != .resourceTemporarilyUnavailable { throw error }
            }
            if waited >= seconds { return nil }
            let slice = Swift.min(0.1, seconds - waited)
            var p = pollfd(fd: fd.rawValue, events: Int16(POLLOUT), revents: 0)
            _ = poll(&p, 1, Int32((slice * 1000).rounded(.up)))
            if p.revents & Int16(POLLOUT) != 0 { waited = 0 } else { waited += slice }
        }
    }

    /// Writes at most `buffer.count` bytes at `offset`. The corresponding C function is `pwrite`.
    static func pwrite(_ fd: FileDescriptor, _ buffer: UnsafeRawBufferPointer, at offset: Int) throws(FileSystemError) -> Int {
        try systemCall("pwrite") { try fd.write(toAbsoluteOffset: Int64(offset), buffer) }
    }

    /// The corresponding C function is `ftruncate`.
    static func truncate(_ fd: FileDescriptor, to size: Int) throws(FileSystemError) {
        _ = try retryingEINTR { ftruncate(fd.rawValue, off_t(size)) }
    }

    /// The path of what a descriptor refers to, as the kernel knows it.
    /// The corresponding C function is `readlink` on `/proc/self/fd/N`.
    static func path(of fd: FileDescriptor) throws(FileSystemError) -> String {
        var buf = [CChar](repeating: 0, count: 4097)
        let n = try retryingEINTR { readlink("/proc/self/fd/\(fd.rawValue)", &buf, buf.count - 1) }
        return RawPath.decode(buf[0 ..< n].map { UInt8(bitPattern: $0) })
    }


    /// Follows links. The corresponding C function is `stat`.
    static func status(_ path: String) throws(FileSystemError) -> Glibc.stat {
        var st = Glibc.stat()
        _ = try retryingEINTR { RawPath.withCString(path) { stat($0, &st) } }
        return st
    }

    /// Whether anything exists at `path`. The corresponding C function is `access(F_OK)`.
    static func exists(_ path: String) -> Bool { RawPath.withCString(path) { access($0, F_OK) } == 0 }

    /// The absolute, symlink-free path. The corresponding C function is `realpath`.
    static func realpath(_ path: String) throws(FileSystemError) -> String {
        guard let resolved = RawPath.withCString(path, { Glibc.realpath($0, nil) }) else {
            throw FileSystemError(errno: Errno(rawValue: Glibc.errno))
        }
        defer { free(resolved) }
        return RawPath.decode(UnsafeRawBufferPointer(start: resolved, count: strlen(resolved)))
    }

    /// Flushes to storage; EINVAL (a pipe, a device) counts as success.
    /// The corresponding C function is `fsync`.
    static func fsync(_ fd: FileDescriptor) throws(FileSystemError) {
        if Glibc.fsync(fd.rawValue) != 0 && Glibc.errno != EINVAL { throw FileSystemError(errno: Errno(rawValue: Glibc.errno)) }
    }

    /// The corresponding C function is `rename`.
    static func rename(_ from: String, _ to: String) throws(FileSystemError) {
        _ = try retryingEINTR { RawPath.withCString(from) { f in RawPath.withCString(to) { Glibc.rename(f, $0) } } }
    }

    /// An unnamed file in `directory` (mode 0666 less the umask, like `cp`), which
    /// disappears if the process dies before ``linkTemporary(_:to:)`` names it; nil when
    /// the file system has no O_TMPFILE. The corresponding C function is `open(O_TMPFILE)`.
    static func openTemporary(in directory: String) throws(FileSystemError) -> FileDescriptor? {
        do throws(FileSystemError) {
            // glibc's O_TMPFILE is this pair of flags (the macro itself does not import).
            return try open(directory, __O_TMPFILE | O_DIRECTORY | O_WRONLY, mode: 0o666)
        } catch {
            if [.notSupported, .invalidArgument, .isDirectory].contains(error.errno) { return nil }
            throw error
        }
    }

    /// Gives an unnamed file a name; EEXIST when `path` exists (never replaces).
    /// The corresponding C function is `linkat` on `/proc/self/fd/N`.
    static func linkTemporary(_ fd: FileDescriptor, to path: String) throws(FileSystemError) {
        _ = try retryingEINTR { RawPath.withCString(path) { linkat(AT_FDCWD, "/proc/self/fd/\(fd.rawValue)", AT_FDCWD, $0, AT_SYMLINK_FOLLOW) } }
    }

    /// What is at `path` itself, a symbolic link not followed; nil when nothing is.
    /// The corresponding C function is `lstat`.
    static func linkStatus(_ path: String) -> Glibc.stat? {
        var st = Glibc.stat()
        return RawPath.withCString(path) { lstat($0, &st) } == 0 ? st : nil
    }

    /// A random name for a file beside `path` (hidden, unguessable: 64 bits from the
    /// system's random number generator).
    static func randomSibling(of path: String) -> String {
        var rng = SystemRandomNumberGenerator()
        let suffix = String(rng.next(), radix: 36)
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return folder + "." + name + "." + suffix + ".part"
    }

    /// A second name for a file; fails with EEXIST when `to` exists (an atomic
    /// "create if absent"). The corresponding C function is `link`.
    static func link(_ from: String, _ to: String) throws(FileSystemError) {
        _ = try retryingEINTR { RawPath.withCString(from) { f in RawPath.withCString(to) { Glibc.link(f, $0) } } }
    }


    /// The corresponding C function is `unlink`.
    static func unlink(_ path: String) { _ = RawPath.withCString(path) { Glibc.unlink($0) } }



    /// The working directory. The corresponding C function is `getcwd`.
    static func currentDirectory() -> String? {
        guard let cwd = getcwd(nil, 0) else { return nil }
        defer { free(cwd) }
        return String(cString: cwd)
    }

    /// The names in a directory, `.` and `..` left out.
    /// The corresponding C functions are `opendir`, `readdir` and `closedir`.
    static func directoryNames(_ path: String) throws(FileSystemError) -> [String] {
        guard let dir = RawPath.withCString(path, { opendir($0) }) else { throw FileSystemError(errno: Errno(rawValue: Glibc.errno)) }
        defer { closedir(dir) }
        var names = [String]()
        while let e = readdir(dir) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { raw in RawPath.decode(raw.prefix { $0 != 0 }) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Calls `onChange` whenever an entry of `directory` is created, removed, renamed or
    /// written, until `isCancelled()` holds (asked every `pollMilliseconds`); events that
    /// follow each other within `settleMilliseconds` are reported once. One inotify
    /// descriptor for the whole watch, so no change falls between two waits.
    /// The corresponding C functions are `inotify_init1`, `inotify_add_watch`, `poll` and `read`.
    static func watchDirectory(_ directory: String, pollMilliseconds: Int32, settleMilliseconds: Int32,
                               isCancelled: () -> Bool, onChange: () -> Void) {
        let fd = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard fd >= 0 else { return }
        defer { Glibc.close(fd) }
        let mask = IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF
        guard inotify_add_watch(fd, directory, UInt32(mask)) >= 0 else { return }
        // Whatever changed between the caller's listing and this watch is reported now.
        onChange()
        var buffer = [UInt8](repeating: 0, count: 4096)
        func drain() { while Glibc.read(fd, &buffer, buffer.count) > 0 {} }
        while !isCancelled() {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, pollMilliseconds) > 0 else { continue }
            drain()
            // Let a burst (a copy in progress, many files) settle before reporting.
            while poll(&p, 1, settleMilliseconds) > 0 && !isCancelled() { drain() }
            if !isCancelled() { onChange() }
        }
    }

    /// Wall-clock time for stamps. The corresponding C function is `gmtime_r`.
    static func utcParts(secondsSinceEpoch: Int) -> tm {
        var t = time_t(secondsSinceEpoch)
        var parts = tm()
        gmtime_r(&t, &parts)
        return parts
    }
}

extension stat {
    /// Whether this is a directory.
    var isDirectory: Bool { (st_mode & S_IFMT) == S_IFDIR }
    /// Whether this is a regular file.
    var isRegularFile: Bool { (st_mode & S_IFMT) == S_IFREG }
    /// Whether this is a symbolic link (only `lstat` reports one).
    var isSymbolicLink: Bool { (st_mode & S_IFMT) == S_IFLNK }
    /// Whether users other than the owner may rename or remove what a directory holds:
    /// group or others may write it and it is not sticky.
    var othersMayReplaceEntries: Bool { st_mode & (S_IWGRP | S_IWOTH) != 0 && st_mode & S_ISVTX == 0 }
    /// "FIFO", "device", "socket" or "file", for messages.
    var kindName: String {
        switch st_mode & S_IFMT {
        case S_IFIFO: return "FIFO"
        case S_IFCHR, S_IFBLK: return "device"
        case S_IFSOCK: return "socket"
        default: return "file"
        }
    }
}
