import BlobCodec
import Glibc

/// Reading inputs and writing outputs, with errors that name the file.
public enum Files {
    /// An input file checked before anything is read or published.
    public struct InputFile: Equatable, Sendable {
        /// The absolute, symlink-free path (the label a publish sends).
        public var absolutePath: String
        /// Size in bytes when checked.
        public var size: Int
    }

    /// Checks that `path` names a readable regular file.
    public static func inspect(_ path: String) throws(TransferError) -> InputFile {
        if path.isEmpty { throw .emptyPath(what: "file") }
        let st: stat
        do throws(FileSystemError) { st = try FS.status(path) } catch { throw .cannotRead(path: path, errno: error.errno) }
        if st.isDirectory { throw .isDirectory(path: path) }
        if !st.isRegularFile { throw .notRegularFile(path: path) }
        do throws(FileSystemError) {
            try FS.isReadable(path)
            return InputFile(absolutePath: try FS.realpath(path), size: Int(st.st_size))
        } catch {
            throw .cannotRead(path: path, errno: error.errno)
        }
    }

    /// Checks that `path` names a directory; its absolute, symlink-free form.
    public static func directory(_ path: String) throws(TransferError) -> String {
        guard let st = try? FS.status(path), st.isDirectory, let absolute = try? FS.realpath(path) else {
            throw .notADirectory(path: path)
        }
        return absolute
    }

    /// Reads a whole regular file (it may grow while being read).
    public static func read(_ path: String) throws(TransferError) -> [UInt8] {
        let fd: Int32
        do throws(FileSystemError) { fd = try FS.open(path, O_RDONLY) } catch { throw .cannotRead(path: path, errno: error.errno) }
        defer { FS.close(fd) }
        let st: stat
        do throws(FileSystemError) { st = try FS.status(fd) } catch { throw .cannotRead(path: path, errno: error.errno) }
        if st.isDirectory { throw .isDirectory(path: path) }
        do throws(FileSystemError) {
            return try readAll(fd, expected: max(Int(st.st_size), 0))
        } catch {
            throw .cannotRead(path: path, errno: error.errno)
        }
    }

    /// Reads `expected` bytes in place, then keeps reading in chunks in case the file
    /// grew meanwhile, until end of file.
    private static func readAll(_ fd: Int32, expected: Int) throws(FileSystemError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: expected)
        var filled = 0
        var failure: FileSystemError?
        out.withUnsafeMutableBytes { raw in
            while filled < raw.count {
                do throws(FileSystemError) {
                    let n = try FS.read(fd, into: UnsafeMutableRawBufferPointer(rebasing: raw[filled...]))
                    if n == 0 { return }
                    filled += n
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
        if filled < out.count {
            out.removeLast(out.count - filled)
            return out
        }
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = chunk.withUnsafeMutableBytes { raw in Result { () throws(FileSystemError) in try FS.read(fd, into: raw) } }
            switch n {
            case let .success(count):
                if count == 0 { return out }
                out.append(contentsOf: chunk[0 ..< count])
            case let .failure(error):
                throw error
            }
        }
    }

    /// Reads `path` when it is a file of at most `limit` bytes; nil otherwise.
    public static func read(_ path: String, ifAtMost limit: Int) -> [UInt8]? {
        guard let st = try? FS.status(path), Int(st.st_size) <= limit else { return nil }
        return try? Files.read(path)
    }

    /// Writes `bytes` to `path` through a temporary file and a rename, so a reader of
    /// `path` sees the old or the new content, never a part.
    public static func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws(TransferError) {
        if path.isEmpty { throw .emptyPath(what: "output") }
        let temp = path + ".part-\(FS.processID())"
        let fd: Int32
        do throws(FileSystemError) {
            fd = try FS.open(temp, O_WRONLY | O_CREAT | O_TRUNC, mode: 0o644)
        } catch {
            throw .cannotWrite(path: path, errno: error.errno)
        }
        var open = true
        do throws(TransferError) {
            try writeAll(fd, bytes, name: path)
            do throws(FileSystemError) {
                try FS.fsync(fd)
                FS.close(fd)
                open = false
                try FS.rename(temp, path)
            } catch {
                throw .cannotWrite(path: path, errno: error.errno)
            }
        } catch {
            if open { FS.close(fd) }
            FS.unlink(temp)
            throw error
        }
    }

    /// Writes `bytes` to `path` through a temporary file and a rename.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws(TransferError) {
        try withBytes(bytes) { (raw) throws(TransferError) in try writeAtomically(raw, to: path) }
    }

    /// Writes all of `bytes` to a descriptor; `name` is what an error calls it.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, name: String) throws(TransferError) {
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

    /// Whether anything exists at `path`.
    public static func exists(_ path: String) -> Bool { FS.exists(path) }
}
