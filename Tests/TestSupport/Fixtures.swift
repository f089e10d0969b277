import Glibc
import Synchronization

/// Paths and scratch resources for tests, each cleaned up by its owner.
public enum Fixtures {
    /// The package's root folder.
    public static let packageRoot: String = {
        var path = #filePath
        for _ in 0 ..< 3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    /// The folder holding the built executables (beside the test bundle).
    public static let productsDirectory: String = {
        var buf = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buf, buf.count - 1)
        precondition(n > 0)
        let exe = String(decoding: buf[0 ..< n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var dir = String(exe[..<exe.lastIndex(of: "/")!])
        // swift test runs <products>/<Package>PackageTests.xctest, a file beside the products.
        if dir.hasSuffix(".xctest") { dir = String(dir[..<dir.lastIndex(of: "/")!]) }
        return dir
    }()

    /// A built executable's path.
    public static func executable(_ name: String) -> String { productsDirectory + "/" + name }

    /// A segment name unique to this process and call; remove it with `removeSegment`.
    public static func uniqueSegmentName(_ tag: String = "t") -> String {
        counter.withLock { $0 += 1 }
        let n = counter.withLock { $0 }
        return "sbtest-\(tag)-\(getpid())-\(n)-\(UInt32.random(in: 0 ... .max))"
    }

    /// Removes a shared-memory object if present.
    public static func removeSegment(_ name: String) {
        _ = shm_unlink("/" + name)
    }

    /// A new empty temporary directory; remove it with `removeTree`.
    public static func makeTempDirectory() -> String {
        var template = Array("/tmp/sbtest-XXXXXX".utf8CString)
        let p = mkdtemp(&template)!
        return String(cString: p)
    }

    /// Removes a directory tree.
    public static func removeTree(_ path: String) {
        precondition(path.hasPrefix("/tmp/sbtest-"))
        _ = Spawn.run("/bin/rm", ["-rf", path])
    }

    /// Writes bytes to a file.
    public static func write(_ bytes: [UInt8], to path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)  // never inherited by a child another test spawns
        precondition(fd >= 0)
        bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count { done += max(0, Glibc.write(fd, raw.baseAddress! + done, raw.count - done)) }
        }
        close(fd)
    }

    /// Reads a whole file (nil if it cannot be opened).
    public static func read(_ path: String) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out = [UInt8]()
        var buf = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = Glibc.read(fd, &buf, buf.count)
            if n <= 0 { break }
            out += buf[0 ..< n]
        }
        return out
    }

    /// The names in a directory (without `.` and `..`).
    public static func listing(_ path: String) -> [String] {
        guard let d = opendir(path) else { return [] }
        defer { closedir(d) }
        var names = [String]()
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Deterministic pseudo-random bytes (SplitMix64).
    public static func bytes(count: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(seed: seed)
        var out = [UInt8](repeating: 0, count: count)
        var i = 0
        while i < count {
            let v = rng.next()
            for k in 0 ..< 8 where i + k < count { out[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(k))) }
            i += 8
        }
        return out
    }

    private static let counter = LockedCounter()
}

/// A tiny seeded PRNG for reproducible tests.
public struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    /// Creates a generator from a seed.
    public init(seed: UInt64) { state = seed }
    /// The next value.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

final class LockedCounter: Sendable {
    private let value = Mutex(0)
    func withLock<R>(_ body: (inout Int) -> R) -> R {
        value.withLock { body(&$0) }
    }
}
