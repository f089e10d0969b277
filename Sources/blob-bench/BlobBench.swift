import ArgumentParser
import Glibc

/// `blob-bench`: benchmarks that print ratios against a baseline measured in the same
/// run, and the load generators the stress tests use.
@main
struct BlobBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-bench",
        abstract: "Benchmarks for the shared-memory transfer.",
        subcommands: [TransferBench.self, PreviewBench.self, CompareBench.self, RedrawBench.self, DecodeFloor.self, DecodeJPEGFull.self, SocketPeer.self, WakePeer.self,
                      FanOutReader.self, PeerBench.self, PeerReader.self, PeerProbe.self, PeerOurs.self])
}

/// Monotonic nanoseconds, comparable across processes.
func monotonicNanos() -> Int64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
}

/// The value at quantile q (0...1) of a sample.
func quantile(_ values: [Double], _ q: Double) -> Double {
    let sorted = values.sorted()
    guard !sorted.isEmpty else { return .nan }
    let i = min(sorted.count - 1, max(0, Int((Double(sorted.count - 1) * q).rounded())))
    return sorted[i]
}

/// Runs `body` `count` times and returns each duration in nanoseconds.
func timeEach(_ count: Int, _ body: () throws -> Void) rethrows -> [Double] {
    var out = [Double]()
    out.reserveCapacity(count)
    for _ in 0 ..< count {
        let t0 = monotonicNanos()
        try body()
        out.append(Double(monotonicNanos() - t0))
    }
    return out
}

/// Deterministic bytes for a stress blob (SplitMix64 over the seed).
func stressBytes(count: Int, seed: UInt64) -> [UInt8] {
    var state = seed
    var out = [UInt8](repeating: 0, count: count)
    var i = 0
    while i < count {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        z ^= z >> 31
        for k in 0 ..< 8 where i + k < count { out[i + k] = UInt8(truncatingIfNeeded: z >> (8 * UInt64(k))) }
        i += 8
    }
    return out
}

/// Path of this executable, to start peers.
func selfPath() -> String {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    return String(decoding: buf[0 ..< max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
}

/// The folder holding this executable (and, in a build folder, its siblings).
func selfDirectory() -> String {
    let path = selfPath()
    return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
}

/// Starts a program with extra environment variables; returns the pid.
func spawnProgram(_ argv: [String], environment: [String: String] = [:]) -> pid_t {
    var env = [String]()
    var e = environ
    while let p = e.pointee { env.append(String(cString: p)); e += 1 }
    env = env.filter { line in !environment.keys.contains { line.hasPrefix($0 + "=") } }
        + environment.map { "\($0.key)=\($0.value)" }
    let cArgs = argv.map { strdup($0) } + [nil]
    let cEnv = env.map { strdup($0) } + [nil]
    defer { cArgs.forEach { free($0) }; cEnv.forEach { free($0) } }
    // The measured commands' own output (put's lines, get's report) is not the benchmark's.
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, argv[0], &actions, nil, cArgs, cEnv)
    precondition(rc == 0, "posix_spawn \(argv[0]) failed: \(rc)")
    return pid
}

/// Starts this executable with arguments, passing `keepFD` through; returns the pid.
func spawnSelf(_ arguments: [String], keepFD: Int32? = nil) -> pid_t {
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    if let keepFD { posix_spawn_file_actions_adddup2(&actions, keepFD, 3) }
    let path = selfPath()
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, &actions, nil, argv, environ)
    precondition(rc == 0, "posix_spawn failed: \(rc)")
    return pid
}

func waitChild(_ pid: pid_t) -> Int32 {
    var st: Int32 = 0
    while waitpid(pid, &st, 0) < 0 && errno == EINTR {}
    return (st >> 8) & 0xFF
}
