import ArgumentParser
import BlobCLI
import Foundation
import Glibc
import Hashing
import SharedMemory

/// `blob-bench peer`: our engine against the peer people would pick instead — iceoryx2,
/// through its Python binding — and Python's own `multiprocessing.shared_memory` + a
/// pipe, side by side in one run (`bench/peer.py` drives those two; run through
/// `scripts/bench-peer.sh`, which makes the virtual environment). Every case is two
/// processes (five for the fan-out): a writer copies a prepared buffer into shared
/// memory, each reader reads every byte, acknowledges, and the writer times the round.
struct PeerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "peer",
        abstract: "Compare handoffs with iceoryx2 and multiprocessing.shared_memory (Python), in one run.")

    @Option(help: "The Python interpreter that has iceoryx2, numpy and xxhash (scripts/bench-peer.sh makes one).")
    var python: String
    @Option(help: "The peer script.") var script = "bench/peer.py"
    @Option(help: "Rounds per measurement (the first few are warm-up, not counted).") var rounds = 60
    @Option(help: "Rounds of the 64-byte latency measurements.") var latencyRounds = 4000
    @Option(help: "Repetitions of the whole set of cases; ratios are reported per run and as their median.")
    var runs = 3
    @Flag(help: "Also measure how the cost grows (4 KiB to 256 MiB, 1 to 8 readers) and write the rows as JSON.")
    var growth = false
    @Option(help: "Where --growth writes its rows (JSON, for bench/plot.py).") var growthOut = "bench-out/peer-growth.json"

    static let warmup = 5
    static let tenMiB = 10 * 1024 * 1024

    func run() throws {
        print("blob-bench peer: \(runs) run(s), \(rounds) rounds per case (medians; ratios in each run, then the median of runs)")
        var table = [String: [Double]]()  // ratio name -> one value per run
        for r in 1 ... runs {
            print("run \(r):")
            for (name, value) in try oneRun() {
                table[name, default: []].append(value)
            }
        }
        print("\nratios (median of \(runs) run(s); each run's in brackets):")
        for target in Self.targets {
            guard let values = table[target.name], !values.isEmpty else { continue }
            let m = quantile(values, 0.5)
            let each = values.map { String(format: "%.2f", $0) }.joined(separator: " ")
            print("  " + target.name.padding(toLength: 50, withPad: " ", startingAt: 0)
                + String(format: " %5.2f  [%@]  (target <= %.1f)  %@", m, each, target.limit, m <= target.limit ? "met" : "NOT met"))
        }
        if growth { try measureGrowth() }
    }

    struct Target { var name: String; var limit: Double }
    static let targets: [Target] = [
        Target(name: "10 MiB ping-pong, verified / iceoryx2", limit: 1.0),
        Target(name: "10 MiB ping-pong, unverified / iceoryx2", limit: 0.9),
        Target(name: "10 MiB ping-pong, unverified / mp.shared_memory", limit: 1.0),
        Target(name: "10 MiB to 4 readers, verified / iceoryx2", limit: 1.0),
        Target(name: "64 B ping-pong, one CPU / iceoryx2", limit: 0.6),
        Target(name: "64 B ping-pong, one CPU / socketpair", limit: 1.0),
        Target(name: "64 B ping-pong, two CPUs / iceoryx2", limit: 0.6),
        Target(name: "64 B ping-pong, two CPUs / socketpair", limit: 1.0),
    ]

    /// Every case once; returns the ratios of this run.
    func oneRun() throws -> [(String, Double)] {
        func us(_ ns: Double) -> String { String(format: "%8.1f us", ns / 1e3) }
        var ratios = [(String, Double)]()
        let size = Self.tenMiB
        let (verified, verifiedPublish) = try oursWithPublishShare(size: size, readers: 1, read: .verified)
        let unverified = try ours(size: size, readers: 1, read: .unverified)
        let iox = try theirs("iceoryx2", ["pingpong", "--size", String(size), "--rounds", String(rounds)])
        let mp = try theirs("mpshm", ["pingpong", "--size", String(size), "--rounds", String(rounds)])
        print("  10 MiB ping-pong: ours verified \(us(verified)) (of which the publish \(us(verifiedPublish))), ours unverified \(us(unverified)), iceoryx2 \(us(iox)), mp.shared_memory+pipe \(us(mp))")
        ratios += [("10 MiB ping-pong, verified / iceoryx2", verified / iox),
                   ("10 MiB ping-pong, unverified / iceoryx2", unverified / iox),
                   ("10 MiB ping-pong, unverified / mp.shared_memory", unverified / mp)]

        let fan = try ours(size: size, readers: 4, read: .verified)
        let ioxFan = try theirs("iceoryx2", ["pingpong", "--size", String(size), "--rounds", String(rounds), "--readers", "4"])
        let mpFan = try theirs("mpshm", ["pingpong", "--size", String(size), "--rounds", String(rounds), "--readers", "4"])
        print("  10 MiB to 4 readers: ours verified \(us(fan)), iceoryx2 \(us(ioxFan)), mp.shared_memory+pipe \(us(mpFan))")
        ratios.append(("10 MiB to 4 readers, verified / iceoryx2", fan / ioxFan))

        for (label, cpus) in [("one CPU", [0, 0]), ("two CPUs", [0, 1])] {
            let small = try ours(size: 64, readers: 1, read: .verified, rounds: latencyRounds, cpus: cpus)
            let socket = try socketPingPong(size: 64, rounds: latencyRounds, cpus: cpus)
            let cpuList = cpus[0] == cpus[1] ? "0" : "0,1"
            let ioxSmall = try theirs("iceoryx2", ["latency", "--size", "64", "--rounds", String(latencyRounds), "--cpus", cpuList])
            print("  64 B ping-pong, \(label): ours \(us(small)), socketpair \(us(socket)), iceoryx2 \(us(ioxSmall))")
            ratios += [("64 B ping-pong, \(label) / iceoryx2", small / ioxSmall),
                       ("64 B ping-pong, \(label) / socketpair", small / socket)]
        }
        for (name, value) in ratios { print("    " + name.padding(toLength: 50, withPad: " ", startingAt: 0) + String(format: " %.2f", value)) }
        return ratios
    }

    enum ReadKind: String { case verified, unverified }

    /// Our handoff: this process publishes from a prepared buffer into one segment; each
    /// reader process waits for it, reads every byte (a verified zero-copy view, whose
    /// checksum pass is the read; or an unverified view hashed by the reader itself, the
    /// same work iceoryx2's receiver does) and acknowledges on its own pong segment.
    /// Returns the median round time in nanoseconds.
    func ours(size: Int, readers: Int, read: ReadKind, rounds: Int? = nil, cpus: [Int] = []) throws -> Double {
        try oursWithPublishShare(size: size, readers: readers, read: read, rounds: rounds, cpus: cpus).round
    }

    /// ``ours(size:readers:read:rounds:cpus:)`` with the median of the publish alone (the
    /// rest of a round is the readers' pass and the acknowledgements).
    func oursWithPublishShare(size: Int, readers: Int, read: ReadKind, rounds: Int? = nil, cpus: [Int] = [])
        throws -> (round: Double, publish: Double)
    {
        let rounds = rounds ?? self.rounds
        let name = "blob-bench-peer-\(getpid())"
        let pongs = (0 ..< readers).map { "\(name)-pong\($0)" }
        defer { for n in [name] + pongs { _ = shm_unlink("/" + n) } }
        let segment = try BlobSegment.open(.sharedMemory(try SegmentName(name)), mode: .createNew, capacity: max(size, 4096))
        let pongSegments = try pongs.map { try BlobSegment.open(.sharedMemory(try SegmentName($0)), mode: .createNew, capacity: 4096) }
        if let cpu = cpus.first { pin(to: cpu) }
        let peers = pongs.map { pong in
            spawnSelf(["peer-reader", "--segment", name, "--pong", pong, "--rounds", String(rounds), "--read", read.rawValue]
                      + (cpus.count > 1 ? ["--cpu", String(cpus[1])] : []))
        }
        defer { unpin() }
        let content = stressBytes(count: size, seed: 5)
        var acked = [UInt64](repeating: 0, count: readers)
        var times = [Double](), publishing = [Double]()
        try content.withUnsafeBytes { src in
            for i in 0 ..< rounds {
                let t0 = monotonicNanos()
                _ = try segment.publish(kind: .testData, parts: [src])
                let t1 = monotonicNanos()
                for k in 0 ..< readers {
                    acked[k] = try pongSegments[k].waitForPublish(after: acked[k], timeout: .seconds(30))
                }
                if i >= Self.warmup {
                    times.append(Double(monotonicNanos() - t0))
                    publishing.append(Double(t1 - t0))
                }
            }
        }
        for pid in peers where waitChild(pid) != 0 { throw ValidationError("a reader process failed") }
        return (quantile(times, 0.5), quantile(publishing, 0.5))
    }

    /// 64-byte messages over a Unix socketpair, acknowledged with one byte: the kernel's
    /// own handoff, pinned like ours.
    func socketPingPong(size: Int, rounds: Int, cpus: [Int]) throws -> Double {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw ExitCode(ExitStatus.io.rawValue) }
        pin(to: cpus[0])
        defer { unpin() }
        let pid = spawnSelf(["socket-peer", "--size", String(size), "--rounds", String(rounds), "--cpu", String(cpus[1])], keepFD: fds[1])
        close(fds[1])
        let content = stressBytes(count: size, seed: 6)
        var ack: UInt8 = 0
        let times = content.withUnsafeBytes { src in
            timeEach(rounds) {
                var sent = 0
                while sent < size {
                    let n = send(fds[0], src.baseAddress! + sent, size - sent, 0)
                    if n <= 0 { fatalError("send failed") }
                    sent += n
                }
                _ = recv(fds[0], &ack, 1, Int32(MSG_WAITALL))
            }
        }
        close(fds[0])
        _ = waitChild(pid)
        return quantile(Array(times.dropFirst(Self.warmup)), 0.5)
    }

    /// Runs `bench/peer.py` for `impl` and returns the median of its samples (ns).
    func theirs(_ impl: String, _ arguments: [String]) throws -> Double {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [script] + Array(arguments.prefix(1)) + ["--impl", impl] + arguments.dropFirst()
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let json = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let samples = json["samples_ns"] as? [NSNumber], !samples.isEmpty
        else { throw ValidationError("\(script) \(impl) \(arguments.joined(separator: " ")) failed (status \(process.terminationStatus))") }
        return quantile(samples.map { $0.doubleValue }, 0.5)
    }

    /// How the cost grows: ping-pong from 4 KiB to 256 MiB (ours verified, iceoryx2, one
    /// memcpy as the floor) and the 10 MiB fan-out to 1..8 readers; rows as JSON.
    func measureGrowth() throws {
        var rows = [[String: Any]]()
        print("\ngrowth (medians):")
        print("  size        ours verified     iceoryx2       memcpy     ours/iceoryx2")
        for size in [4096, 65536, 1 << 20, 16 << 20, 256 << 20] {
            let n = max(5 + Self.warmup, min(rounds, (512 << 20) / size))
            let mine = try PeerBench.withRounds(self, n).ours(size: size, readers: 1, read: .verified)
            let iox = try PeerBench.withRounds(self, n).theirs("iceoryx2", ["pingpong", "--size", String(size), "--rounds", String(n)])
            let floor = memcpyFloor(size: size, rounds: n)
            print(String(format: "  %9d  %10.1f us  %10.1f us  %10.1f us   %.2f", size, mine / 1e3, iox / 1e3, floor / 1e3, mine / iox))
            rows += [["impl": "ours", "case": "size", "x": size, "median_ns": mine],
                     ["impl": "iceoryx2", "case": "size", "x": size, "median_ns": iox],
                     ["impl": "memcpy", "case": "size", "x": size, "median_ns": floor]]
        }
        print("  readers     ours verified     iceoryx2   ours/iceoryx2   (10 MiB)")
        let floor = memcpyFloor(size: Self.tenMiB, rounds: rounds)
        for readers in [1, 2, 4, 8] {
            let mine = try ours(size: Self.tenMiB, readers: readers, read: .verified)
            let iox = try theirs("iceoryx2", ["pingpong", "--size", String(Self.tenMiB), "--rounds", String(rounds), "--readers", String(readers)])
            print(String(format: "  %7d  %12.1f us  %10.1f us   %.2f", readers, mine / 1e3, iox / 1e3, mine / iox))
            rows += [["impl": "ours", "case": "readers", "x": readers, "median_ns": mine],
                     ["impl": "iceoryx2", "case": "readers", "x": readers, "median_ns": iox],
                     ["impl": "memcpy", "case": "readers", "x": readers, "median_ns": floor]]
        }
        let data = try JSONSerialization.data(withJSONObject: rows, options: [.prettyPrinted, .sortedKeys])
        try? FileManager.default.createDirectory(atPath: (growthOut as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: growthOut))
        print("  rows written to \(growthOut)")
    }

    static func withRounds(_ bench: PeerBench, _ n: Int) -> PeerBench {
        var copy = bench
        copy.rounds = n
        return copy
    }

    /// One memcpy of `size` bytes into a pre-faulted buffer: the least any copying handoff costs.
    func memcpyFloor(size: Int, rounds: Int) -> Double {
        let src = stressBytes(count: size, seed: 7)
        let dst = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { dst.deallocate() }
        memset(dst, 1, size)
        let times = src.withUnsafeBytes { s in timeEach(rounds) { memcpy(dst, s.baseAddress!, size) } }
        return quantile(Array(times.dropFirst(min(Self.warmup, times.count - 1))), 0.5)
    }
}

/// Pins the calling thread to one CPU (the latency cases compare pinned processes).
func pin(to cpu: Int) {
    ThreadAffinity.set([cpu])
}

/// Lets the calling thread run on every CPU again.
func unpin() {
    ThreadAffinity.set(Array(0 ..< Int(sysconf(Int32(_SC_NPROCESSORS_ONLN)))))
}

/// One reader of `blob-bench peer`: waits for each publish, reads every byte (verified,
/// or unverified and hashed here), acknowledges with a 1-byte publish on its pong segment.
struct PeerReader: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peer-reader", shouldDisplay: false)
    @Option var segment: String
    @Option var pong: String
    @Option var rounds: Int
    @Option var read: String
    @Option var cpu: Int?

    func run() throws {
        if let cpu { pin(to: cpu) }
        let seg = try BlobSegment.open(.sharedMemory(try SegmentName(segment)), mode: .openExisting)
        let pong = try BlobSegment.open(.sharedMemory(try SegmentName(self.pong)), mode: .openExisting)
        var last: UInt64 = 0
        let one: [UInt8] = [1]
        for _ in 0 ..< rounds {
            if read == "unverified" {
                last = try seg.waitForPublish(after: last, timeout: .seconds(30))
                guard try seg.withUnverifiedView({ _, bytes in XXH3.hash(bytes) }) != nil else {
                    throw ExitCode(ExitStatus.software.rawValue)
                }
            } else {
                last = try seg.withVerifiedView(after: last, timeout: .seconds(30)) { _, _ in () }.metadata.sequence
            }
            _ = try one.withUnsafeBytes { try pong.publish(kind: .testData, parts: [$0]) }
        }
    }
}

/// Where a 10 MiB handoff's time goes, in one process: a memcpy into a pre-faulted buffer,
/// our publish (copy, with the checksum beside it), the verified view (the checksum pass),
/// and the unverified view hashing every byte itself. Medians.
struct PeerProbe: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peer-probe", shouldDisplay: false)
    @Option var size = 10 * 1024 * 1024
    @Option var rounds = 60

    func run() throws {
        let name = "blob-bench-probe-\(getpid())"
        defer { _ = shm_unlink("/" + name) }
        let segment = try BlobSegment.open(.sharedMemory(try SegmentName(name)), mode: .createNew, capacity: size)
        let content = stressBytes(count: size, seed: 5)
        let dst = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { dst.deallocate() }
        memset(dst, 1, size)
        var copy = [Double](), publish = [Double](), view = [Double](), unverified = [Double]()
        try content.withUnsafeBytes { src in
            for _ in 0 ..< rounds {
                var t0 = monotonicNanos()
                memcpy(dst, src.baseAddress!, size)
                copy.append(Double(monotonicNanos() - t0))
                t0 = monotonicNanos()
                _ = try segment.publish(kind: .testData, parts: [src])
                publish.append(Double(monotonicNanos() - t0))
                t0 = monotonicNanos()
                _ = try segment.withVerifiedView { $1.count }
                view.append(Double(monotonicNanos() - t0))
                t0 = monotonicNanos()
                _ = try segment.withUnverifiedView { XXH3.hash($1) }
                unverified.append(Double(monotonicNanos() - t0))
            }
        }
        func us(_ v: [Double]) -> String { String(format: "%7.1f us", quantile(Array(v.dropFirst(5)), 0.5) / 1e3) }
        print("memcpy \(us(copy))  publish \(us(publish))  verified view \(us(view))  unverified view + XXH3 \(us(unverified))")
    }
}

/// Our side of one peer case alone (for `strace -c -f` or `perf stat`): prints the median
/// round trip.
struct PeerOurs: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "peer-ours", shouldDisplay: false)
    @Option var size = 64
    @Option var rounds = 2000
    @Option var readers = 1
    @Option(help: "CPUs of writer and reader, e.g. 0,1 or 0,0 (default: not pinned).") var cpus: String?

    func run() throws {
        var bench = try PeerBench.parse(["--python", "/bin/false"])
        bench.rounds = rounds
        let pins = cpus.map { $0.split(separator: ",").compactMap { Int($0) } } ?? []
        let median = try bench.ours(size: size, readers: readers, read: .verified, rounds: rounds, cpus: pins)
        print(String(format: "%d bytes, %d reader(s), %d rounds: median %.1f us", size, readers, rounds, median / 1e3))
    }
}
