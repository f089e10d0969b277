import ArgumentParser
import BlobCLI
import BlobTransfer
import Foundation
import Glibc
import SharedMemory

/// `blob-bench transfer`: the shared-memory transfer against two baselines measured in
/// the same run (memcpy, the floor; a Unix socketpair between two processes), and the
/// publish-to-wake latency of a waiting reader in another process.
struct TransferBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "transfer",
        abstract: "Compare publish+verified get with memcpy and a socketpair; measure wake latency.")

    @Option(help: "Blob size in bytes.") var size = 10 * 1024 * 1024 - 64
    @Option(help: "Timed repetitions per measurement.") var iterations = 40
    @Option(help: "Wake-latency samples.") var wakeSamples = 2000
    @Option(help: "Microseconds the waiting reader spins before sleeping on the futex, in the second wake run.")
    var spinMicroseconds = 50
    @Option(help: "Reader processes in the fan-out measurement.") var readers = 4
    @Option(help: "Repetitions of the whole-process measurement (put && get --out against cp).") var processRuns = 15

    func run() throws {
        let name = "blob-bench-\(getpid())"
        defer { for suffix in ["", "-pong0", "-pong1", "-fan"] { _ = shm_unlink("/" + name + suffix) } }
        let content = stressBytes(count: size, seed: 42)
        print("blob-bench transfer: \(size) bytes, \(iterations) iterations (medians)")

        // (a) the floor, two memcpys into pre-faulted buffers; (b) publish plus a copying
        // verified get; (b') publish plus a zero-copy verified read (checksum in place);
        // measured in turn so that all three see the same machine (these VMs drift).
        let mid = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        let dst = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { mid.deallocate(); dst.deallocate() }
        memset(mid, 1, size); memset(dst, 1, size)
        let seg = try BlobSegment.open(.sharedMemory(try SegmentName(name)), mode: .createNew,
                                       capacity: BlobSegment.defaultCapacity)
        let buffer = PayloadBuffer(capacity: BlobSegment.defaultCapacity)
        var floor = [Double](), ours = [Double](), inPlace = [Double]()
        var failures = 0, copies = 0
        try content.withUnsafeBytes { src in
            for i in 0 ..< iterations + 3 {
                let t0 = monotonicNanos()
                memcpy(mid, src.baseAddress!, size)
                memcpy(dst, mid, size)
                let t1 = monotonicNanos()
                _ = try seg.publishFrame(path: "/bench/blob", content: src)
                if try seg.read(into: buffer) == nil { failures += 1 }
                let t2 = monotonicNanos()
                _ = try seg.publishFrame(path: "/bench/blob", content: src)
                guard let viewed = try seg.withVerifiedView({ $1.count }) else { failures += 1; continue }
                let t3 = monotonicNanos()
                if viewed.source != .mapping { copies += 1 }
                if i >= 3 {
                    floor.append(Double(t1 - t0))
                    ours.append(Double(t2 - t1))
                    inPlace.append(Double(t3 - t2))
                }
            }
        }
        precondition(failures == 0)
        precondition(buffer.count == size + 8 + "/bench/blob".utf8.count)

        // (c) the same bytes through a socketpair to another process.
        let socket = try socketTransfer(content: content)

        let a = quantile(floor, 0.5), b = quantile(ours, 0.5), b2 = quantile(inPlace, 0.5), c = quantile(socket, 0.5)
        func ms(_ ns: Double) -> String { String(format: "%.3f ms", ns / 1e6) }
        print("(a)  2 x memcpy (floor)                    \(ms(a))")
        print("(b)  publish + verified get (copy)         \(ms(b))")
        print("(b') publish + zero-copy verified read     \(ms(b2))   (\(copies) of \(iterations + 3) fell back to a copy)")
        print("(c)  socketpair, 2 processes               \(ms(c))")
        print(String(format: "(b')/(a) = %.2f   (target <= 1.0)  %@", b2 / a, verdict(b2 / a <= 1.0)))
        print(String(format: "(b')/(c) = %.2f   (target <= 0.6)  %@", b2 / c, verdict(b2 / c <= 0.6)))
        print(String(format: "(b)/(a)  = %.2f   (target <= 1.5)  %@", b / a, verdict(b / a <= 1.5)))

        // Fan-out: one publish read and verified by N processes, against the writer
        // sending the same bytes to N socketpairs read by N processes.
        let (fanOurs, fanSockets) = try fanOut(name: name + "-fan", content: content)
        let fo = quantile(fanOurs, 0.5), fs = quantile(fanSockets, 0.5)
        print("fan-out to \(readers) reader processes: shared memory \(ms(fo)), \(readers) socketpairs \(ms(fs))")
        print(String(format: "  ours/sockets = %.2f   (target <= 0.4)  %@", fo / fs, verdict(fo / fs <= 0.4)))

        // Wake latency: 64-byte blobs, a reader waiting in another process.
        for (index, spin) in [0, spinMicroseconds].enumerated() {
            let (p50, p99) = try wakeLatency(name: name, spin: spin, pongName: name + "-pong\(index)")
            print(String(format: "wake latency, 64-byte blob, %d samples, spin %3d us: p50 %6.1f us, p99 %6.1f us   (targets p50 <= 20, p99 <= 200)  %@",
                         wakeSamples, spin, p50 / 1e3, p99 / 1e3, verdict(p50 <= 20_000 && p99 <= 200_000)))
        }

        try wholeProcesses()
    }

    func verdict(_ met: Bool) -> String { met ? "met" : "NOT met" }

    func socketTransfer(content: [UInt8]) throws -> [Double] {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw ExitCode(ExitStatus.io.rawValue) }
        let pid = spawnSelf(["socket-peer", "--size", String(size), "--rounds", String(iterations + 3)], keepFD: fds[1])
        close(fds[1])
        let s = fds[0]
        var ack: UInt8 = 0
        let times = content.withUnsafeBytes { src in
            timeEach(iterations + 3) {
                var sent = 0
                while sent < size {
                    let n = send(s, src.baseAddress! + sent, size - sent, 0)
                    if n <= 0 { fatalError("send failed") }
                    sent += n
                }
                _ = recv(s, &ack, 1, Int32(MSG_WAITALL))
            }
        }
        close(s)
        _ = waitChild(pid)
        return Array(times.dropFirst(3))
    }

    func wakeLatency(name: String, spin: Int, pongName: String) throws -> (Double, Double) {
        let ping = try BlobSegment.open(.sharedMemory(try SegmentName(name)), mode: .openExisting)
        let pong = try BlobSegment.open(.sharedMemory(try SegmentName(pongName)), mode: .createNew, capacity: max(4096, wakeSamples * 8 + 64))
        let start = ping.publishedSequence
        let pid = spawnSelf(["wake-peer", "--segment", name, "--after", String(start), "--count", String(wakeSamples),
                             "--spin-microseconds", String(spin), "--pong", pongName])
        var payload = [UInt8](repeating: 0, count: 64)
        var lastPong: UInt64 = 0
        for _ in 0 ..< wakeSamples {
            var stamp = monotonicNanos()
            withUnsafeBytes(of: &stamp) { for k in 0 ..< 8 { payload[k] = $0[k] } }
            _ = try payload.withUnsafeBytes { try ping.publish(kind: .testData, parts: [$0]) }
            lastPong = try pong.waitForPublish(after: lastPong, timeout: .seconds(10), spin: .zero)  // futex only, as the reader
        }
        // The peer reports its latencies through the pong segment's last blob.
        _ = waitChild(pid)
        guard let (_, bytes) = try pong.readLatest() else { throw ExitCode(ExitStatus.software.rawValue) }
        let samples: [Double] = bytes.withUnsafeBytes { raw in
            (0 ..< raw.count / 8).map { Double(raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
        return (quantile(samples, 0.5), quantile(samples, 0.99))
    }
}

/// The receiving end of the socketpair baseline (descriptor 3).
struct SocketPeer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "socket-peer", shouldDisplay: false)
    @Option var size: Int
    @Option var rounds: Int
    @Option(help: "Pin to this CPU first.") var cpu: Int?

    func run() throws {
        if let cpu { pin(to: cpu) }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        memset(buffer, 0, size)
        var ack: UInt8 = 1
        for _ in 0 ..< rounds {
            var got = 0
            while got < size {
                let n = recv(3, buffer + got, size - got, 0)
                if n <= 0 { throw ExitCode(ExitStatus.io.rawValue) }
                got += n
            }
            _ = send(3, &ack, 1, 0)
        }
    }
}

/// The waiting reader of the wake-latency measurement: waits for each ping, reads it
/// (verified), records now minus the stamp inside, answers on the pong segment.
struct WakePeer: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "wake-peer", shouldDisplay: false)
    @Option var segment: String
    @Option var after: UInt64
    @Option var count: Int
    @Option var spinMicroseconds: Int = 0
    @Option var pong: String

    func run() throws {
        let ping = try BlobSegment.open(.sharedMemory(try SegmentName(segment)), mode: .openExisting)
        let pong = try BlobSegment.open(.sharedMemory(try SegmentName(self.pong)), mode: .openExisting)
        let buffer = PayloadBuffer(capacity: 64)
        var last = after
        var latencies = [Int64]()
        latencies.reserveCapacity(count)
        let one: [UInt8] = [1]
        for _ in 0 ..< count {
            last = try ping.waitForPublish(after: last, timeout: .seconds(10), spin: .microseconds(spinMicroseconds))
            guard try ping.read(into: buffer) != nil else { throw ExitCode(ExitStatus.software.rawValue) }
            let now = monotonicNanos()
            let stamp = buffer.bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self)
            latencies.append(now - stamp)
            _ = try one.withUnsafeBytes { try pong.publish(kind: .testData, parts: [$0]) }
        }
        _ = try latencies.withUnsafeBytes { try pong.publish(kind: .testData, parts: [$0]) }
    }
}

extension TransferBench {
    /// Round trips: publish once and wait until every reader process has verified the blob
    /// in place and acknowledged (one byte each on a shared pipe); against sending the same
    /// bytes to one socketpair per reader (round robin, non-blocking) and waiting for each
    /// reader's acknowledgement.
    func fanOut(name: String, content: [UInt8]) throws -> ([Double], [Double]) {
        let rounds = iterations + 3
        let segment = try BlobSegment.open(.sharedMemory(try SegmentName(name)), mode: .createNew,
                                           capacity: BlobSegment.defaultCapacity)
        var ackPipe: [Int32] = [0, 0]
        guard pipe(&ackPipe) == 0 else { throw ExitCode(ExitStatus.io.rawValue) }
        let start = segment.publishedSequence
        let peers = (0 ..< readers).map { _ in
            spawnSelf(["fanout-reader", "--segment", name, "--after", String(start), "--rounds", String(rounds)],
                      keepFD: ackPipe[1])
        }
        close(ackPipe[1])
        var ack = [UInt8](repeating: 0, count: readers)
        var ours = [Double]()
        try content.withUnsafeBytes { src in
            for i in 0 ..< rounds {
                let t0 = monotonicNanos()
                _ = try segment.publishFrame(path: "/bench/fan", content: src)
                var got = 0
                while got < readers {
                    let n = ack.withUnsafeMutableBytes { read(ackPipe[0], $0.baseAddress! + got, readers - got) }
                    if n <= 0 { throw ExitCode(ExitStatus.io.rawValue) }
                    got += n
                }
                if i >= 3 { ours.append(Double(monotonicNanos() - t0)) }
            }
        }
        close(ackPipe[0])
        peers.forEach { _ = waitChild($0) }

        var sockets = [Int32]()
        var socketPeers = [pid_t]()
        for _ in 0 ..< readers {
            var fds: [Int32] = [0, 0]
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw ExitCode(ExitStatus.io.rawValue) }
            socketPeers.append(spawnSelf(["socket-peer", "--size", String(size), "--rounds", String(rounds)], keepFD: fds[1]))
            close(fds[1])
            _ = fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK)
            sockets.append(fds[0])
        }
        var theirs = [Double]()
        content.withUnsafeBytes { src in
            for i in 0 ..< rounds {
                let t0 = monotonicNanos()
                var sent = [Int](repeating: 0, count: readers)
                var acked = [Bool](repeating: false, count: readers)
                while acked.contains(false) {
                    var polls = sockets.enumerated().map { k, fd in
                        pollfd(fd: fd, events: Int16(sent[k] < size ? POLLOUT : POLLIN), revents: 0)
                    }
                    _ = poll(&polls, nfds_t(polls.count), 10_000)
                    for k in 0 ..< readers where !acked[k] {
                        if sent[k] < size {
                            let n = send(sockets[k], src.baseAddress! + sent[k], min(size - sent[k], 256 * 1024), Int32(MSG_DONTWAIT))
                            if n > 0 { sent[k] += n }
                        } else {
                            var byte: UInt8 = 0
                            if recv(sockets[k], &byte, 1, Int32(MSG_DONTWAIT)) == 1 { acked[k] = true }
                        }
                    }
                }
                if i >= 3 { theirs.append(Double(monotonicNanos() - t0)) }
            }
        }
        sockets.forEach { close($0) }
        socketPeers.forEach { _ = waitChild($0) }
        return (ours, theirs)
    }

    /// `blob-writer put F && blob-reader get --out G` for a 10 MB file against `cp F G`
    /// (medians of separate processes), and each command's peak RSS against the same
    /// command on an empty file (GNU time), with pre-faulting on and off.
    func wholeProcesses() throws {
        let dir = "/tmp/blob-bench-proc-\(getpid())"
        mkdir(dir, 0o700)
        let segment = "blob-bench-proc-\(getpid())"
        defer {
            _ = shm_unlink("/" + segment)
            _ = try? FileManager.default.removeItem(atPath: dir)
        }
        let file = dir + "/photo.bin", empty = dir + "/empty.bin", out = dir + "/out.bin"
        _ = FileManager.default.createFile(atPath: file, contents: Data(stressBytes(count: 10_000_000, seed: 9)))
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let bin = selfDirectory()
        let writer = bin + "/blob-writer", reader = bin + "/blob-reader"
        func run(_ argv: [String], _ env: [String: String] = [:]) -> Double {
            let t0 = monotonicNanos()
            let pid = spawnProgram(argv, environment: env)
            let status = waitChild(pid)
            precondition(status == 0, "\(argv) exited with \(status)")
            return Double(monotonicNanos() - t0)
        }
        func median(_ body: () -> Double) -> Double { quantile((0 ..< processRuns).map { _ in body() }, 0.5) }
        let cp = median { run(["/bin/cp", file, out]) }
        print("whole processes, 10,000,000-byte file, medians of \(processRuns):")
        print(String(format: "  cp F G                                 %7.2f ms", cp / 1e6))
        for prefault in ["1", "0"] {
            let env = ["SHAREDBLOB_PREFAULT": prefault]
            let both = median {
                run([writer, "put", file, "--segment", segment], env) + run([reader, "get", "--segment", segment, "--out", out], env)
            }
            print(String(format: "  put F && get --out G (prefault %@)    %7.2f ms   ratio to cp %.2f (target <= 3)  %@",
                         prefault == "1" ? "on " : "off", both / 1e6, both / cp, verdict(both / cp <= 3)))
        }
        guard access("/usr/bin/time", X_OK) == 0 else {
            print("  peak RSS: skipped (GNU time not installed; scripts/bench-transfer.sh installs it)")
            return
        }
        func peak(_ argv: [String]) -> Double {
            let report = dir + "/rss"
            _ = run(["/usr/bin/time", "-o", report, "-f", "%M"] + argv)
            let text = (try? String(contentsOfFile: report, encoding: .utf8)) ?? "0"
            return (Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) / 1024
        }
        let putEmpty = peak([writer, "put", empty, "--segment", segment])
        let getEmpty = peak([reader, "get", "--segment", segment, "--out", out])
        let putFull = peak([writer, "put", file, "--segment", segment])
        let getFull = peak([reader, "get", "--segment", segment, "--out", out])
        print(String(format: "  peak RSS put: %.1f MiB (empty file %.1f MiB, +%.1f; target <= +16)  %@",
                     putFull, putEmpty, putFull - putEmpty, verdict(putFull - putEmpty <= 16)))
        print(String(format: "  peak RSS get --out: %.1f MiB (empty blob %.1f MiB, +%.1f; target <= +16)  %@",
                     getFull, getEmpty, getFull - getEmpty, verdict(getFull - getEmpty <= 16)))
    }
}

/// One reader of the fan-out measurement: waits for each publish, verifies it in
/// place, and acknowledges with one byte on descriptor 3.
struct FanOutReader: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fanout-reader", shouldDisplay: false)
    @Option var segment: String
    @Option var after: UInt64
    @Option var rounds: Int

    func run() throws {
        let seg = try BlobSegment.open(.sharedMemory(try SegmentName(segment)), mode: .openExisting)
        var last = after
        var ack: UInt8 = 1
        for _ in 0 ..< rounds {
            last = try seg.withVerifiedView(after: last, timeout: .seconds(30)) { _, _ in () }.metadata.sequence
            _ = write(3, &ack, 1)
        }
    }
}
