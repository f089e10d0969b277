/// One entry of a directory listing.
public struct DirectoryEntry: Equatable, Sendable {
    /// The file name (untrusted: escape before display).
    public var name: String
    /// Whether it is a directory (following symlinks).
    public var isDirectory: Bool
    /// Size in bytes (files).
    public var size: Int

    /// Creates an entry.
    public init(name: String, isDirectory: Bool, size: Int) {
        self.name = name
        self.isDirectory = isDirectory
        self.size = size
    }
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
            entries.append(DirectoryEntry(name: name, isDirectory: st?.isDirectory ?? false,
                                          size: st.map { Int($0.st_size) } ?? 0))
        }
        entries.sort { a, b in
            if a.isDirectory != b.isDirectory { return a.isDirectory }
            let la = a.name.lowercased(), lb = b.name.lowercased()
            return la != lb ? la < lb : a.name < b.name
        }
        return .success(entries)
    }

}

/// Why a directory could not be listed.
public struct ListingError: Error, Equatable, Sendable {
    /// The sentence.
    public var message: String
}
