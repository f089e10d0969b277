import Glibc
import Testing
import TestSupport

/// The module boundaries README describes, checked on the source tree so they stay true.
@Suite struct ArchitectureTests {
    static let sources = Fixtures.packageRoot + "/Sources"

    /// Swift files of a module, with their lines (comments removed).
    static func files(_ module: String) -> [(name: String, lines: [String])] {
        let dir = sources + "/" + module
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var out = [(String, [String])]()
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasSuffix(".swift"), let bytes = Fixtures.read(dir + "/" + name) else { continue }
            let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                .map { line -> String in
                    let code = line.firstRange(of: "//").map { line[..<$0.lowerBound] } ?? line[...]
                    return String(code)
                }
            out.append((name, lines))
        }
        return out.sorted { $0.0 < $1.0 }
    }

    static let libraryModules = ["SafeText", "BlobCodec", "Hashing", "SharedMemory", "SharedRecords", "BlobTransfer",
                                 "SharedBlobC", "ImagePreview", "TerminalGraphics", "TerminalUI", "BlobApps", "BlobCLI"]

    /// Which modules each module may import (besides the standard library's own and
    /// Glibc, Synchronization, Dispatch, SystemPackage).
    static let allowedImports: [String: Set<String>] = [
        "SafeText": [],
        "BlobCodec": [],
        "Hashing": ["CXXHash", "CCrypto"],
        "SharedMemory": ["CBlobSegment", "CBlobMutex", "CAtomics", "Hashing", "SafeText"],
        "SharedRecords": ["SharedMemory"],
        "BlobTransfer": ["SharedMemory", "SharedRecords", "BlobCodec", "Hashing", "SafeText", "CBlobSegment"],
        "SharedBlobC": ["CSharedBlob", "SharedMemory", "BlobTransfer", "BlobCodec"],
        "ImagePreview": ["CImage"],
        "TerminalGraphics": ["ImagePreview", "CSixel", "SafeText", "CTerminalGuard"],
        "TerminalUI": ["CNcurses", "CTerminalGuard"],
        "BlobApps": ["BlobTransfer", "TerminalUI", "ImagePreview", "TerminalGraphics", "SafeText"],
        "BlobCLI": ["BlobTransfer", "BlobApps", "ImagePreview", "TerminalGraphics", "TerminalUI", "SafeText", "ArgumentParser"],
    ]
    static let platform: Set<String> = ["Glibc", "Synchronization", "Dispatch", "SystemPackage"]

    @Test(arguments: libraryModules)
    func importsFollowTheLayers(module: String) throws {
        let files = Self.files(module)
        try #require(!files.isEmpty, "no sources found for \(module)")
        let allowed = try #require(Self.allowedImports[module]).union(Self.platform)
        for (name, lines) in files {
            for line in lines {
                let words = line.split(separator: " ").map(String.init)
                guard let i = words.firstIndex(of: "import"), i + 1 < words.count,
                      words[..<i].allSatisfy({ $0.hasPrefix("@") || $0 == "struct" }) else { continue }
                let imported = words[i + 1].split(separator: ".").first.map(String.init) ?? ""
                #expect(allowed.contains(imported), "\(module)/\(name) imports \(imported)")
            }
        }
    }

    /// System calls, each module's in its one boundary file (swift-system style).
    static let boundary: [String: String] = [
        "SharedMemory": "Syscalls.swift", "BlobTransfer": "FileSystem.swift",
        "TerminalUI": "System.swift", "BlobCLI": "Output.swift", "TerminalGraphics": "TerminalQuery.swift",
    ]
    static let syscalls = ["open", "read", "write", "close", "stat", "fstat", "lstat", "mmap", "munmap", "shm_open",
                           "shm_unlink", "flock", "ftruncate", "fchmod", "posix_fallocate", "pread", "access",
                           "unlink", "rename", "fsync", "realpath", "opendir", "readdir", "getcwd", "poll", "pipe",
                           "fcntl", "signal", "pthread_create", "pthread_join", "pthread_detach", "inotify_init1",
                           "inotify_add_watch", "clock_gettime", "getenv", "isatty", "getpid", "raise", "gmtime_r",
                           "usleep", "nanosleep", "sched_yield", "exit"]

    @Test(arguments: libraryModules)
    func systemCallsLiveInTheBoundaryFile(module: String) throws {
        let files = Self.files(module)
        try #require(!files.isEmpty, "no sources found for \(module)")
        for (name, lines) in files where name != Self.boundary[module] {
            for (n, line) in lines.enumerated() {
                for call in Self.syscalls where Self.calls(line, call) {
                    Issue.record("\(module)/\(name):\(n + 1) calls \(call) outside its boundary file: \(line)")
                }
            }
        }
    }

    /// Whether `line` calls the C function `name` (not a method, not a declaration).
    static func calls(_ line: String, _ name: String) -> Bool {
        var rest = Substring(line)
        while let r = rest.firstRange(of: name + "(") {
            let before = rest[..<r.lowerBound]
            let prev = before.last
            let qualified = before.hasSuffix("Glibc.")
            let isMember = prev == "." && !qualified
            let isPartOfName = prev.map { $0.isLetter || $0.isNumber || $0 == "_" } ?? false
            let isDeclaration = before.hasSuffix("func ") || before.hasSuffix("case ")
            if qualified || (!isMember && !isPartOfName && !isDeclaration) { return true }
            rest = rest[r.upperBound...]
        }
        return false
    }

    @Test func noPthreadPrimitivesInSwift() throws {
        for module in Self.libraryModules {
            for (name, lines) in Self.files(module) {
                for line in lines where line.contains("pthread_mutex_t") || line.contains("pthread_cond_t") {
                    Issue.record("\(module)/\(name): \(line)")
                }
            }
        }
    }

    /// The check itself finds what it must (a check that cannot fail checks nothing).
    @Test func theCallDetectorSeesCalls() {
        #expect(Self.calls("let fd = open(path, O_RDONLY)", "open"))
        #expect(Self.calls("_ = Glibc.read(fd, p, n)", "read"))
        #expect(!Self.calls("try FS.read(fd, into: b)", "read"))
        #expect(!Self.calls("static func read(_ fd: Int32)", "read"))
        #expect(!Self.calls("let x = reopen(a)", "open"))
        #expect(!Self.calls("case read(SegmentBacking)", "read"))
    }
}
