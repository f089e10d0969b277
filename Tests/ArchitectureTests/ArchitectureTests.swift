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

    static let libraryModules = ["Platform", "TerminalColors", "SafeText", "BlobCodec", "Hashing", "SharedMemory", "SharedRecords", "BlobTransfer",
                                 "SharedBlobC", "ImagePreview", "TerminalGraphics", "TerminalUI", "BlobApps", "BlobCLI"]

    /// Which modules each module may import (besides the standard library's own and
    /// Glibc, Synchronization, Dispatch, SystemPackage).
    static let allowedImports: [String: Set<String>] = [
        "Platform": [],
        "TerminalColors": [],
        "SafeText": [],
        "BlobCodec": [],
        "Hashing": ["CXXHash", "CCrypto"],
        "SharedMemory": ["CBlobSegment", "CBlobMutex", "CAtomics", "Hashing", "SafeText", "Platform"],
        "SharedRecords": ["SharedMemory"],
        "BlobTransfer": ["SharedMemory", "SharedRecords", "BlobCodec", "Hashing", "SafeText", "CBlobSegment", "Platform"],
        "SharedBlobC": ["CSharedBlob", "SharedMemory", "BlobTransfer", "BlobCodec", "SafeText"],
        "ImagePreview": ["CImage", "TerminalColors"],
        "TerminalGraphics": ["ImagePreview", "CSixel", "SafeText", "CTerminalGuard"],
        "TerminalUI": ["CNcurses", "CTerminalGuard", "Platform", "TerminalColors"],
        "BlobApps": ["BlobTransfer", "TerminalUI", "ImagePreview", "TerminalGraphics", "SafeText", "TerminalColors"],
        "BlobCLI": ["BlobTransfer", "BlobApps", "ImagePreview", "TerminalGraphics", "TerminalUI", "SafeText", "ArgumentParser", "Platform"],
    ]
    static let platform: Set<String> = ["Glibc", "Synchronization", "Dispatch", "SystemPackage"]

    /// The words that may stand before `import` in an import declaration.
    static let importModifiers: Set<String> = ["public", "package", "internal", "fileprivate", "private", "struct", "class",
                                               "enum", "func", "var", "let", "typealias", "protocol"]

    /// The imports in `files` that `module` may not make (`public import`, `@_exported
    /// import`, `import struct X.Y` included), as "Module/File imports X".
    static func importViolations(_ module: String, _ files: [(name: String, lines: [String])]) -> [String] {
        let allowed = (allowedImports[module] ?? []).union(platform)
        var found: [String] = []
        for (name, lines) in files {
            for line in lines {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard let i = words.firstIndex(of: "import"), i + 1 < words.count,
                      words[..<i].allSatisfy({ $0.hasPrefix("@") || importModifiers.contains($0) }) else { continue }
                // `import struct X.Y`: the module is the word after the kind.
                let target = importModifiers.contains(words[i + 1]) && i + 2 < words.count ? words[i + 2] : words[i + 1]
                let imported = target.split(separator: ".").first.map(String.init) ?? ""
                if !allowed.contains(imported) { found.append("\(module)/\(name) imports \(imported)") }
            }
        }
        return found
    }

    @Test(arguments: libraryModules)
    func importsFollowTheLayers(module: String) throws {
        let files = Self.files(module)
        try #require(!files.isEmpty, "no sources found for \(module)")
        try #require(Self.allowedImports[module] != nil, "\(module) has no row in allowedImports")
        for violation in Self.importViolations(module, files) { Issue.record(Comment(rawValue: violation)) }
    }

    /// System calls, each module's in its one boundary file (swift-system style).
    static let boundary: [String: String] = [
        "Platform": "System.swift", "SharedMemory": "Syscalls.swift", "BlobTransfer": "FileSystem.swift",
        "TerminalUI": "System.swift", "BlobCLI": "Output.swift", "TerminalGraphics": "TerminalQuery.swift",
    ]
    static let syscalls = ["open", "read", "write", "close", "stat", "fstat", "lstat", "mmap", "munmap", "shm_open",
                           "shm_unlink", "flock", "ftruncate", "fchmod", "posix_fallocate", "pread", "access",
                           "unlink", "rename", "fsync", "realpath", "opendir", "readdir", "getcwd", "poll", "pipe",
                           "fcntl", "signal", "pthread_create", "pthread_join", "pthread_detach", "inotify_init1",
                           "inotify_add_watch", "clock_gettime", "getenv", "isatty", "getpid", "raise", "gmtime_r",
                           "usleep", "nanosleep", "sched_yield", "sched_getaffinity", "exit",
                           "madvise", "mprotect", "msync", "ioctl", "linkat", "symlink", "readlink", "fchown", "chown",
                           "chmod", "mkdir", "rmdir", "openat", "fstatat", "fdatasync", "dup", "dup2", "kill", "waitpid",
                           "posix_spawn", "sigaction", "sigprocmask", "pthread_sigmask", "dlopen", "dlsym", "dlclose",
                           "setenv", "unsetenv", "tcgetattr", "tcsetattr", "select", "epoll_create1", "eventfd",
                           "memfd_create", "getuid", "geteuid", "getgid", "sysconf", "prctl", "syscall", "futimens",
                           "utimensat", "lseek", "truncate", "fchdir", "chdir", "umask", "getrlimit", "setrlimit"]

    /// The system calls in `files` outside `module`'s boundary file.
    static func syscallViolations(_ module: String, _ files: [(name: String, lines: [String])]) -> [String] {
        var found: [String] = []
        for (name, lines) in files where name != boundary[module] {
            for (n, line) in lines.enumerated() {
                for call in syscalls where calls(line, call) {
                    found.append("\(module)/\(name):\(n + 1) calls \(call) outside its boundary file: \(line)")
                }
            }
        }
        return found
    }

    @Test(arguments: libraryModules)
    func systemCallsLiveInTheBoundaryFile(module: String) throws {
        let files = Self.files(module)
        try #require(!files.isEmpty, "no sources found for \(module)")
        for violation in Self.syscallViolations(module, files) { Issue.record(Comment(rawValue: violation)) }
    }

    /// The checks fail on what they must: a planted `public import` across the layers and a
    /// planted `madvise` outside the boundary file (each with the real module's files).
    @Test func plantedViolationsAreFound() throws {
        let memory = Self.files("SharedMemory")
        try #require(!memory.isEmpty)
        #expect(Self.importViolations("SharedMemory", memory).isEmpty)
        let publicImport = memory + [("Planted.swift", ["public import BlobApps", "@_exported import TerminalUI",
                                                       "import struct BlobTransfer.Publisher"])]
        #expect(Self.importViolations("SharedMemory", publicImport)
                == ["SharedMemory/Planted.swift imports BlobApps", "SharedMemory/Planted.swift imports TerminalUI",
                    "SharedMemory/Planted.swift imports BlobTransfer"])
        let transfer = Self.files("BlobTransfer")
        #expect(Self.syscallViolations("BlobTransfer", transfer).isEmpty)
        let planted = transfer + [("Planted.swift", ["        _ = madvise(base, count, MADV_WILLNEED)"])]
        #expect(Self.syscallViolations("BlobTransfer", planted).count == 1)
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

    /// Package.swift's targets: each library target's name and the modules and products it
    /// depends on (the one source the layer checks and the diagrams are held against).
    static func packageTargets() throws -> [(name: String, kind: String, dependencies: Set<String>)] {
        let text = String(decoding: try #require(Fixtures.read(Fixtures.packageRoot + "/Package.swift")), as: UTF8.self)
        var targets: [(String, String, Set<String>)] = []
        var rest = Substring(text)
        while let start = rest.firstRange(of: /\.(target|executableTarget|systemLibrary|testTarget)\(name: "([^"]+)"/) {
            let m = rest[start].wholeMatch(of: /\.(\w+)\(name: "([^"]+)"/)!
            var body = rest[start.upperBound...]
            // Up to the next target (or the end of the targets list).
            if let next = body.firstRange(of: /\n\s*\.(target|executableTarget|systemLibrary|testTarget)\(name:/) {
                body = body[..<next.lowerBound]
            }
            var dependencies = Set<String>()
            if let deps = body.firstRange(of: "dependencies: [") {
                let list = body[deps.upperBound...].prefix { $0 != "]" }
                for quoted in list.matches(of: /"([^"]+)"/) where !list[..<quoted.range.lowerBound].hasSuffix("package: ") {
                    dependencies.insert(String(quoted.1))
                }
                dependencies.subtract(["swift-argument-parser", "swift-system"])
            }
            targets.append((String(m.2), String(m.1), dependencies))
            rest = rest[start.upperBound...]
        }
        return targets
    }

    /// The import table above is Package.swift's dependencies, module for module; the
    /// header of Package.swift and docs/architecture.md's diagram name every module.
    @Test func theLayerTablesMatchPackageSwift() throws {
        let targets = try Self.packageTargets()
        let library = targets.filter { $0.kind == "target" && !$0.name.hasPrefix("C") && $0.name != "TestSupport" }
        try #require(library.count >= 10, "targets not found in Package.swift: \(targets.map(\.name))")
        #expect(Set(library.map(\.name)) == Set(Self.libraryModules), "libraryModules: \(library.map(\.name))")
        for t in library {
            let table = (Self.allowedImports[t.name] ?? []).union(["SystemPackage"])
            if t.dependencies.union(["SystemPackage"]) != table {
                Issue.record("\(t.name): Package.swift depends on \(t.dependencies.sorted()), the import table allows \(table.sorted())")
            }
        }
        let header = String(decoding: try #require(Fixtures.read(Fixtures.packageRoot + "/Package.swift")), as: UTF8.self)
            .split(separator: "\n").prefix { $0.hasPrefix("//") }.joined(separator: "\n")
        let doc = String(decoding: try #require(Fixtures.read(Fixtures.packageRoot + "/docs/architecture.md")), as: UTF8.self)
        let diagram = doc.firstRange(of: "## Layers").map { String(doc[$0.upperBound...].prefix(6000)) } ?? ""
        for t in targets where t.kind != "testTarget" && t.name != "TestSupport" && t.name != "blob-test-helper" {
            if !header.contains(t.name) { Issue.record("Package.swift's header does not name \(t.name)") }
            if !diagram.contains(t.name) { Issue.record("docs/architecture.md's layers do not name \(t.name)") }
        }
        // One test target per library module (TestSupport's suites aside).
        let tests = Set(targets.filter { $0.kind == "testTarget" }.map(\.name))
        for module in Self.libraryModules where !tests.contains(module + "Tests") {
            Issue.record("no test target \(module)Tests")
        }
    }

    /// The article's layout is named only in its implementation and where a format is
    /// turned into one (LayoutOperations.swift): everything else asks the layout.
    @Test func theArticleLayoutIsNamedInItsOwnPlacesOnly() throws {
        let allowed: Set<String> = ["BlobTransfer/ArticleTransfer.swift", "BlobTransfer/LayoutOperations.swift"]
        var seen = 0
        for module in Self.libraryModules {
            for (name, lines) in Self.files(module) {
                for (n, line) in lines.enumerated() where line.contains(".article") {
                    if allowed.contains(module + "/" + name) { seen += 1 } else {
                        Issue.record("\(module)/\(name):\(n + 1) branches on the article layout: \(line)")
                    }
                }
            }
        }
        #expect(seen > 0, "the check found the layout nowhere (a check that cannot fail checks nothing)")
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
