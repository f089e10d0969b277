import BlobCodec
import Glibc
import Platform
import SystemPackage

/// Reading inputs and writing outputs, with errors that name the file.
public enum Files {
    /// An input opened once and checked on its descriptor: what is read is what was
    /// checked, and the label is the path of what was opened.
    public final class Input {
        /// The absolute, symlink-free path of the opened file.
        public let absolutePath: String
        /// Its size when checked.
        public let size: Int
        /// Its last modification when checked, nanoseconds since the epoch.
        public let modifiedNanoseconds: Int64
        /// The path as given (for messages).
        let given: String
        private let fd: FileDescriptor
        private var closed = false

        init(fd: FileDescriptor, given: String, absolutePath: String, status st: stat, owned: Bool = true) {
            self.fd = fd
            closed = !owned  // standard input stays open
            self.given = given
            self.absolutePath = absolutePath
            size = Int(st.st_size)
            modifiedNanoseconds = Int64(st.st_mtim.tv_sec) * 1_000_000_000 + Int64(st.st_mtim.tv_nsec)
        }

        deinit { self.close() }

        /// Reads at most `buffer.count` bytes; 0 at end of file.
        public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TransferError) -> Int {
            do throws(FileSystemError) { return try FS.read(fd, into: buffer) } catch {
                throw .cannotRead(path: given, errno: error.errno)
            }
        }

        /// Reads on from where the last read stopped, at most `count` bytes (fewer at end
        /// of file): a bounded read, whatever the file claims its size is.
        ///
        /// Memory follows what is read, not `count`: the buffer starts at the size the file
        /// had when checked (plus one byte, to notice growth) and grows only if more comes.
        public func readBytes(max count: Int) throws(TransferError) -> [UInt8] {
            var out = [UInt8]()
            var room = Swift.min(Swift.max(0, count), Swift.max(0, size) + 1)
            while out.count < count {
                let want = room - out.count
                if want <= 0 { break }
                var failure: TransferError?
                // Read straight into uninitialized memory: nothing is zero-filled first.
                let chunk = [UInt8](unsafeUninitializedCapacity: want) { buffer, initialized in
                    let raw = UnsafeMutableRawBufferPointer(buffer)
                    var filled = 0
                    while filled < want {
                        do throws(TransferError) {
                            let n = try self.read(into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
                            if n == 0 { break }
                            filled += n
                        } catch {
                            failure = error
                            break
                        }
                    }
                    initialized = filled
                }
                if let failure { throw failure }
                if out.isEmpty { out = chunk } else { out += chunk }
                if chunk.count < want { break }  // end of file
                room = Swift.min(count, Swift.max(room * 2, room + (1 << 20)))
            }
            return out
        }

        /// Closes the descriptor (again is harmless).
        public func close() {
            if !closed { fd.closeQuietly(); closed = true }
        }
    }

    /// Opens `path` for reading, after checking what it names without opening it: only
    /// a regular file is opened at all (a FIFO, a device, `/proc/kmsg` never are — opening
    /// some of them has effects, such as releasing a FIFO's blocked writer). The check is
    /// made on an `O_PATH` descriptor, and the file is then opened through that very
    /// descriptor (`/proc/self/fd/N`, without blocking) and checked again to be it.
    public static func openInput(_ path: String) throws(TransferError) -> Input {
        if path.isEmpty { throw .emptyPath(what: "file") }
        let handle: FileDescriptor
        do throws(FileSystemError) { handle = try FS.open(path, __O_PATH) } catch {
            throw .cannotRead(path: path, errno: error.errno)
        }
        defer { handle.closeQuietly() }
        let inspected: stat
        do throws(FileSystemError) { inspected = try handle.status() } catch {
            throw .cannotRead(path: path, errno: error.errno)
        }
        if inspected.isDirectory { throw .isDirectory(path: path) }
        if !inspected.isRegularFile { throw .notRegularFile(path: path) }
        let fd: FileDescriptor
        do throws(FileSystemError) { fd = try FS.reopen(handle, O_RDONLY | O_NONBLOCK) } catch {
            throw .cannotRead(path: path, errno: error.errno)
        }
        let st: stat
        let absolute: String
        do throws(FileSystemError) {
            st = try fd.status()
            absolute = try FS.path(of: fd)
        } catch {
            fd.closeQuietly()
            throw .cannotRead(path: path, errno: error.errno)
        }
        if st.st_dev != inspected.st_dev || st.st_ino != inspected.st_ino || !st.isRegularFile {
            fd.closeQuietly()
            throw .notRegularFile(path: path)
        }
        return Input(fd: fd, given: path, absolutePath: absolute, status: st)
    }

    /// Standard input as an input (a pipe, a file, a terminal: whatever the process was
    /// given), labelled "standard input"; read it with a bound (`readBytes(max:)`).
    public static func standardInput() throws(TransferError) -> Input {
        let st: stat
        do throws(FileSystemError) { st = try FileDescriptor.standardInput.status() } catch {
            throw .cannotRead(path: "standard input", errno: error.errno)
        }
        return Input(fd: .standardInput, given: "standard input", absolutePath: "-", status: st, owned: false)
    }

    /// Checks that `path` names a directory; its absolute, symlink-free form.
    public static func directory(_ path: String) throws(TransferError) -> String {
        guard let st = try? FS.status(path), st.isDirectory, let absolute = try? FS.realpath(path) else {
            throw .notADirectory(path: path)
        }
        return absolute
    }

    /// Fills `buffer` from the start with what `produce` writes (returning the count it
    /// wrote into the space given), until it is full or `produce` returns 0; how many
    /// bytes it holds.
    fileprivate static func fill<E: Error>(
        _ buffer: inout [UInt8], _ produce: (UnsafeMutableRawBufferPointer) throws(E) -> Int
    ) throws(E) -> Int {
        var filled = 0
        var failure: E?
        buffer.withUnsafeMutableBytes { raw in
            while filled < raw.count {
                do throws(E) {
                    let n = try produce(UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
                    if n == 0 { return }
                    filled += n
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        return filled
    }

    /// Reads at most `limit` bytes of the regular file at `path` from one descriptor
    /// opened without blocking (a FIFO, a device, a socket is refused, never read);
    /// `truncated` tells whether the file holds more.
    public static func readHead(_ path: String, limit: Int) throws(TransferError) -> (bytes: [UInt8], truncated: Bool, size: Int) {
        let input = try openInput(path)
        defer { input.close() }
        // A regular file that says it is larger is not read at all.
        if input.size > limit { return ([], true, input.size) }
        var bytes = try input.readBytes(max: limit + 1)
        let truncated = bytes.count > limit
        if truncated { bytes.removeLast() }
        return (bytes, truncated, input.size)
    }


    /// An output that appears whole or not at all: the content goes into an unnamed
    /// file in the destination's folder (`O_TMPFILE`: no guessable name, no link followed,
    /// nothing left behind if the process is killed, mode from the umask like `cp`), which
    /// ``commit(replacing:durable:)`` names. Where the file system has no unnamed files, a hidden
    /// file with a random name, created exclusively, stands in.
    ///
    /// An existing destination that is not a regular file (`/dev/null`, a FIFO, a
    /// terminal) is written into directly and never replaced, but only one that cannot
    /// have been planted: owned by you or root, in a folder only its owner may change (or
    /// a sticky one), opened without following a link and without blocking, and checked on
    /// the descriptor to be the very object inspected (a swap in between is refused). A
    /// FIFO nobody reads within `stallSeconds` is refused; one whose reader stops reading for
    /// `stallSeconds` ends the write with ``TransferError/outputStalled(path:seconds:)``.
    public final class AtomicOutput {
        /// The destination.
        public let path: String
        /// How long a FIFO or device may accept nothing before the write gives up.
        public let stallSeconds: Double
        private enum Target {
            case unnamed(FileDescriptor)
            case named(FileDescriptor, temporary: String)
            case direct(FileDescriptor)
        }
        private var target: Target
        private var done = false

        /// Prepares the output.
        public init(_ path: String, stallSeconds: Double = 10) throws(TransferError) {
            if path.isEmpty { throw .emptyPath(what: "output") }
            self.path = path
            self.stallSeconds = stallSeconds
            let slash = path.lastIndex(of: "/")
            let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
            if let st = FS.linkStatus(path), !st.isRegularFile, !st.isDirectory, !st.isSymbolicLink {
                target = .direct(try Self.openSpecial(path, inspected: st, folder: folder, stallSeconds: stallSeconds))
                return
            }
            do throws(FileSystemError) {
                if let fd = try FS.openTemporary(in: folder) {
                    target = .unnamed(fd)
                } else {
                    let temporary = FS.randomSibling(of: path)
                    target = .named(try FS.open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode: 0o666),
                                    temporary: temporary)
                }
            } catch {
                throw .cannotWrite(path: path, errno: error.errno)
            }
        }

        /// Opens an existing FIFO, device or socket that `lstat` showed as `inspected`,
        /// if nobody else could have put it there, and only that object.
        private static func openSpecial(_ path: String, inspected st: stat, folder: String,
                                        stallSeconds: Double) throws(TransferError) -> FileDescriptor {
            let me = CurrentProcess.effectiveUserID()
            if st.st_uid != me && st.st_uid != 0 {
                throw .untrustedOutput(path: path, reason: "it is a \(st.kindName) owned by uid \(st.st_uid), not by you")
            }
            // A folder that cannot be checked (renamed meanwhile, say) is not trusted either.
            guard let dir = try? FS.status(folder), !(dir.st_uid != me && dir.st_uid != 0 || dir.othersMayReplaceEntries) else {
                throw .untrustedOutput(path: path, reason: "it is a \(st.kindName) in a folder others may change")
            }
            var opened: FileDescriptor?
            var waited = 0.0
            while opened == nil {
                do throws(FileSystemError) {
                    opened = try FS.open(path, O_WRONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY)
                } catch {
                    if error.errno == .tooManySymbolicLinkLevels { throw .outputChanged(path: path) }
                    guard error.errno == .noSuchAddressOrDevice && (st.st_mode & S_IFMT) == S_IFIFO else {
                        throw .cannotWrite(path: path, errno: error.errno)
                    }
                    // A FIFO nobody reads yet: its reader may be starting (`get --out f & cat f`).
                    if waited >= stallSeconds { throw .noReader(path: path) }
                    CurrentProcess.sleep(.milliseconds(10))
                    waited += 0.01
                }
            }
            guard let fd = opened else { throw .outputChanged(path: path) }  // the loop ends only once opened
            guard let now = try? fd.status(), now.st_dev == st.st_dev, now.st_ino == st.st_ino else {
                fd.closeQuietly()
                throw .outputChanged(path: path)
            }
            return fd
        }

        deinit {
            guard !done else { return }
            switch target {
            case let .unnamed(fd), let .direct(fd): fd.closeQuietly()
            case let .named(fd, temporary): fd.closeQuietly(); FS.unlink(temporary)
            }
        }

        /// Whether `replaceContent(with:)` can start over (a file being prepared), or
        /// only adds to what it wrote (a FIFO, a device: write it once).
        public var isRewindable: Bool {
            if case .direct = target { return false }
            return true
        }

        private var fd: FileDescriptor {
            switch target {
            case let .unnamed(fd), let .named(fd, _), let .direct(fd): return fd
            }
        }

        /// Makes `bytes` the whole content (what an earlier call wrote is replaced; into a
        /// device or FIFO it is simply written).
        public func replaceContent(with bytes: UnsafeRawBufferPointer) throws(TransferError) {
            do {
                if case .direct = target {
                    var done = 0
                    while done < bytes.count {
                        guard let n = try FS.write(fd, UnsafeRawBufferPointer(rebasing: bytes[done...]),
                                                   waitingAtMost: stallSeconds) else {
                            throw TransferError.outputStalled(path: path, seconds: stallSeconds)
                        }
                        done += n
                    }
                    return
                }
                try FS.truncate(fd, to: 0)
                var done = 0
                while done < bytes.count {
                    done += try FS.pwrite(fd, UnsafeRawBufferPointer(rebasing: bytes[done...]), at: done)
                }
            } catch let error as TransferError {
                throw error
            } catch {
                throw .cannotWrite(path: path, errno: (error as? FileSystemError)?.errno ?? .ioError)
            }
        }

        /// Makes `bytes` the whole content.
        public func replaceContent(with bytes: [UInt8]) throws(TransferError) {
            try withBytes(bytes) { (raw) throws(TransferError) in try replaceContent(with: raw) }
        }

        /// Puts the content in place: over the destination, or with `replacing: false`
        /// only if the name is free (``TransferError/outputExists(path:)`` otherwise;
        /// decided atomically by a link, never by a check first).
        ///
        /// The rename is what makes the output atomic for other processes (they see the old
        /// file or the whole new one, and a killed writer leaves nothing at the name); that
        /// needs no flush. `durable` flushes the data to disk first (`fsync`), so that a power
        /// cut right after cannot leave an empty file at the name: the apps' saves ask for
        /// it; `get --out` only with `--sync` (like `cp`, which never flushes, it leaves
        /// that to the file system: ext4 already writes a file's data before a rename that
        /// replaces another file).
        public func commit(replacing: Bool = true, durable: Bool = true) throws(TransferError) {
            defer { done = true }
            do throws(FileSystemError) {
                switch target {
                case let .direct(fd):
                    fd.closeQuietly()
                case let .unnamed(fd):
                    if durable { try FS.fsync(fd) }
                    defer { fd.closeQuietly() }
                    if !replacing {
                        try FS.linkTemporary(fd, to: path)
                    } else {
                        // Name it beside the destination, then rename over it (atomic).
                        let temporary = FS.randomSibling(of: path)
                        try FS.linkTemporary(fd, to: temporary)
                        do throws(FileSystemError) { try FS.rename(temporary, path) } catch {
                            FS.unlink(temporary)
                            throw error
                        }
                    }
                case let .named(fd, temporary):
                    if durable { try FS.fsync(fd) }
                    fd.closeQuietly()
                    defer { FS.unlink(temporary) }  // after a link the temporary name goes; after a rename it is gone
                    if replacing { try FS.rename(temporary, path) } else { try FS.link(temporary, path) }
                }
            } catch {
                if case .named(_, let temporary) = target { FS.unlink(temporary) }
                if !replacing && error.errno == .fileExists { throw .outputExists(path: path) }
                throw .cannotWrite(path: path, errno: error.errno)
            }
        }
    }

    /// Writes `bytes` to `path` through a temporary file and a rename; with
    /// `replacing: false` an existing `path` is left alone and reported.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, replacing: Bool = true) throws(TransferError) {
        let output = try AtomicOutput(path)
        try output.replaceContent(with: bytes)
        try output.commit(replacing: replacing)
    }

    /// Where the reader saves by default: `$XDG_DOWNLOAD_DIR`, else `~/Downloads` if it
    /// exists, else the home folder, else the working directory.
    public static func defaultSaveDirectory() -> String {
        if let xdg = Environment.value("XDG_DOWNLOAD_DIR"), !xdg.isEmpty, (try? FS.status(xdg))?.isDirectory == true {
            return xdg
        }
        if let home = Environment.value("HOME"), !home.isEmpty {
            let downloads = home + "/Downloads"
            if (try? FS.status(downloads))?.isDirectory == true { return downloads }
            if (try? FS.status(home))?.isDirectory == true { return home }
        }
        return FS.currentDirectory() ?? "."
    }

    /// Completes a path being typed: the longest common continuation of the names in
    /// its folder that start with its last component (a lone folder gets its `/`).
    public static func complete(_ typed: String) -> String {
        let slash = typed.lastIndex(of: "/")
        let folder = slash.map { String(typed[...$0]) } ?? ""
        let stem = slash.map { String(typed[typed.index(after: $0)...]) } ?? typed
        guard let names = try? FS.directoryNames(folder.isEmpty ? "." : folder) else { return typed }
        let matches = names.filter { $0.hasPrefix(stem) && (!$0.hasPrefix(".") || stem.hasPrefix(".")) }.sorted()
        guard let first = matches.first else { return typed }
        var common = first
        for m in matches.dropFirst() {
            while !m.hasPrefix(common) { common.removeLast() }
        }
        var completed = folder + common
        if matches.count == 1, (try? FS.status(completed))?.isDirectory == true { completed += "/" }
        return completed
    }

    /// Writes all of `bytes` to a descriptor; `name` is what an error calls it.
    public static func writeAll(_ fd: FileDescriptor, _ bytes: UnsafeRawBufferPointer, name: String) throws(TransferError) {
        var done = 0
        while done < bytes.count {
            do throws(FileSystemError) {
                done += try FS.write(fd, UnsafeRawBufferPointer(rebasing: bytes[done...]))
            } catch {
                throw .cannotWrite(path: name, errno: error.errno)
            }
        }
    }

    /// The working directory (nil if it was removed).
    public static func currentDirectory() -> String? { FS.currentDirectory() }

    /// Whether `path` is a directory (following links).
    public static func isDirectory(_ path: String) -> Bool { (try? FS.status(path))?.isDirectory == true }

    /// Whether anything exists at `path`.
    public static func exists(_ path: String) -> Bool { FS.exists(path) }
}
