import Glibc
import Platform

/// One entry of a directory listing.
public struct DirectoryEntry: Equatable, Sendable {
    /// What an entry is, following symbolic links.
    public enum Kind: String, Equatable, Sendable {
        case regular = "file"
        case directory = "folder"
        case fifo = "FIFO"
        case socket = "socket"
        case characterDevice = "char device"
        case blockDevice = "block device"
        /// A symbolic link to nothing, or an entry that cannot be examined.
        case broken = "broken link"
        case other = "special file"
    }

    /// The file name (untrusted: escape before display).
    public var name: String
    /// What it is (following symlinks).
    public var kind: Kind
    /// Size in bytes (regular files).
    public var size: Int

    /// Creates an entry.
    public init(name: String, kind: Kind, size: Int) {
        self.name = name
        self.kind = kind
        self.size = size
    }

    /// Creates an entry for a regular file or a directory.
    public init(name: String, isDirectory: Bool, size: Int) {
        self.init(name: name, kind: isDirectory ? .directory : .regular, size: size)
    }

    /// Whether it is a directory (following symlinks).
    public var isDirectory: Bool { kind == .directory }
    /// Whether reading it is safe and bounded: only regular files are ever opened.
    public var isRegularFile: Bool { kind == .regular }
    /// Names starting with '.'.
    public var isHidden: Bool { name.hasPrefix(".") }
    /// `.png`, `.jpg` or `.jpeg`, any case.
    public var isImage: Bool {
        let lower = name.lowercased()
        return lower.hasSuffix(".png") || lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg")
    }
}

/// Reads directories: folders first, then files, each sorted by name.
public enum DirectoryListing {
    /// The entries of `path` (without `.` and `..`), or why it cannot be listed.
    public static func read(_ path: String) -> Result<[DirectoryEntry], ListingError> {
        let names: [String]
        do throws(FileSystemError) { names = try FS.directoryNames(path) } catch {
            return .failure(ListingError(message: error.errno.description))
        }
        var entries = [DirectoryEntry]()
        entries.reserveCapacity(names.count)
        for name in names {
            let full = path == "/" ? "/" + name : path + "/" + name
            let st = try? FS.status(full)
            entries.append(DirectoryEntry(name: name, kind: st.map(Self.kind) ?? .broken,
                                          size: st.map { $0.isRegularFile ? Int($0.st_size) : 0 } ?? 0))
        }
        entries.sort { a, b in
            if a.isDirectory != b.isDirectory { return a.isDirectory }
            let la = a.name.lowercased(), lb = b.name.lowercased()
            return la != lb ? la < lb : a.name < b.name
        }
        return .success(entries)
    }

    static func kind(_ st: stat) -> DirectoryEntry.Kind {
        switch st.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFIFO: return .fifo
        case S_IFSOCK: return .socket
        case S_IFCHR: return .characterDevice
        case S_IFBLK: return .blockDevice
        default: return .other
        }
    }

    /// Calls `onChange` each time `directory`'s entries change (created, removed, renamed,
    /// written), until `isCancelled()` holds (asked every 250 ms). Changes arriving within
    /// 50 ms of each other are reported once. Once the watch is in place it reports one
    /// change at once, so nothing that changed since a listing made before it is missed.
    public static func watch(_ directory: String, isCancelled: () -> Bool, onChange: () -> Void) {
        FS.watchDirectory(directory, pollMilliseconds: 250, settleMilliseconds: 50, isCancelled: isCancelled, onChange: onChange)
    }

}

/// Why a directory could not be listed.
public struct ListingError: Error, Equatable, Sendable {
    /// The sentence.
    public var message: String

    public init(message: String) { self.message = message }
}
