import Glibc

/// Whole-file reads and atomic writes with errors in plain words.
public enum FileIO {
    /// Facts about an input file, checked before anything is read or published.
    public struct InputFile: Sendable {
        /// The absolute, symlink-free path.
        public var absolutePath: String
        /// Size in bytes when checked.
        public var size: Int
    }

    /// Checks that `path` names a readable regular file.
    public static func inspect(_ path: String) throws(CLIError) -> InputFile {
        if path.isEmpty { throw CLIError("the file path is empty", exit: .usage) }
        var st = stat()
        if stat(path, &st) != 0 {
            throw CLIError("cannot read '\(TerminalText.escape(path))': \(errnoText())", exit: .io)
        }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw CLIError("'\(TerminalText.escape(path))' is a directory, not a file", exit: .io)
        }
        if (st.st_mode & S_IFMT) != S_IFREG {
            throw CLIError("'\(TerminalText.escape(path))' is not a regular file", exit: .io)
        }
        if access(path, R_OK) != 0 {
            throw CLIError("cannot read '\(TerminalText.escape(path))': \(errnoText())", exit: .io)
        }
        guard let resolved = realpath(path, nil) else {
            throw CLIError("cannot resolve '\(TerminalText.escape(path))': \(errnoText())", exit: .io)
        }
        defer { free(resolved) }
        return InputFile(absolutePath: String(cString: resolved), size: Int(st.st_size))
    }

    /// Reads a whole regular file.
    public static func read(_ path: String) throws(CLIError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 { throw CLIError("cannot read '\(TerminalText.escape(path))': \(errnoText())", exit: .io) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw CLIError("cannot stat '\(TerminalText.escape(path))': \(errnoText())", exit: .io) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            throw CLIError("'\(TerminalText.escape(path))' is a directory, not a file", exit: .io)
        }
        // Read the size fstat gave in place, then keep reading in chunks in case the
        // file grew meanwhile.
        var out = [UInt8](repeating: 0, count: max(Int(st.st_size), 0))
        var filled = 0
        var chunk = [UInt8]()
        while true {
            let n: Int
            if filled < out.count {
                n = out.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress! + filled, $0.count - filled) }
            } else {
                if chunk.isEmpty { chunk = [UInt8](repeating: 0, count: 65536) }
                n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress!, $0.count) }
                if n > 0 { out.append(contentsOf: chunk[0 ..< n]) }
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot read '\(TerminalText.escape(path))': \(errnoText())", exit: .io)
            }
            if n == 0 { break }
            filled += n
        }
        if filled < out.count { out.removeLast(out.count - filled) }
        return out
    }

    /// Writes `bytes` to `path` through a temporary file and a rename, so a reader of
    /// `path` sees the old or the new content, never a part.
    public static func writeAtomically(_ bytes: UnsafeRawBufferPointer, to path: String) throws(CLIError) {
        if path.isEmpty { throw CLIError("the output path is empty", exit: .usage) }
        let temp = path + ".part-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if fd < 0 { throw CLIError("cannot write '\(TerminalText.escape(path))': \(errnoText())", exit: .io) }
        do throws(CLIError) {
            try writeAll(fd, bytes, name: path)
            if fsync(fd) != 0 && errno != EINVAL {
                throw CLIError("cannot write '\(TerminalText.escape(path))': \(errnoText())", exit: .io)
            }
            close(fd)
            if rename(temp, path) != 0 {
                throw CLIError("cannot write '\(TerminalText.escape(path))': \(errnoText())", exit: .io)
            }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
    }

    /// Writes all of `bytes` to a descriptor.
    public static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, name: String) throws(CLIError) {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw CLIError("cannot write '\(TerminalText.escape(name))': \(errnoText())", exit: .io)
            }
            done += n
        }
    }

    /// The current errno as a sentence.
    public static func errnoText() -> String { String(cString: strerror(errno)) }
}

func errnoText() -> String { FileIO.errnoText() }
