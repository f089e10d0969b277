import ArgumentParser
import Foundation
import Glibc
import BlobTransfer
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

    func run() throws {
        let name = "blob-bench-\(getpid())"
        defer { for suffix in ["", "-pong0", "-pong1"] { _ = shm_unlink("/" + name + suffix) } }
        let content = stressBytes(count: size, seed: 42)
        print("blob-bench transfer: \(size) bytes, \(iterations) iterations (medians)")

        // (a) the floor, two memcpys into pre-faulted buffers, and (b) publish plus
        // verified get through the segment, measured alternately so that both see the
        // same machine (these VMs drift).
        let mid = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        let dst = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { mid.deallocate(); dst.deallocate() }
        memset(mid, 1, size); memset(dst, 1, size)
        let seg = try BlobSegment.open(.sharedMemory(try SegmentName(name)), mode: .createNew,
                                       capacity: BlobSegment.defaultCapacity)
        let buffer = PayloadBuffer(capacity: BlobSegment.defaultCapacity)
        var floor = [Double](), ours = [Double]()
        var failures = 0
        try content.withUnsafeBytes { src in
            for i in 0 ..< iterations + 3 {
                let t0 = monotonicNanos()
                memcpy(mid, src.baseAddress!, size)
                memcpy(dst, mid, size)
                let t1 = monotonicNanos()
                _ = try seg.publishFrame(path: "/bench/blob", content: src)
                if try seg.read(into: buffer) == nil { failures += 1 }
                let t2 = monotonicNanos()
                if i >= 3 {
                    floor.append(Double(t1 - t0))
                    ours.append(Double(t2 - t1))
                }
            }
        }
        precondition(failures == 0)
        precondition(buffer.count == size + 8 + "/bench/blob".utf8.count)

        // (c) the same bytes through a socketpair to another process.
        let socket = try socketTransfer(content: content)

        let a = quantile(floor, 0.5), b = quantile(ours, 0.5), c = quantile(socket, 0.5)
        func ms(_ ns: Double) -> String { String(format: "%.3f ms", ns / 1e6) }
        print("(a) 2 x memcpy (floor)          \(ms(a))")
        print("(b) publish + verified get      \(ms(b))")
        print("(c) socketpair, 2 processes     \(ms(c))")
        print(String(format: "(b)/(a) = %.2f   (target <= 1.5)", b / a))
        print(String(format: "(c)/(b) = %.2f   (target >= 4)", c / b))

        // Wake latency: 64-byte blobs, a reader waiting in another process.
        for (index, spin) in [0, spinMicroseconds].enumerated() {
            let (p50, p99) = try wakeLatency(name: name, spin: spin, pongName: name + "-pong\(index)")
            print(String(format: "wake latency, 64-byte blob, %d samples, spin %3d us: p50 %6.1f us, p99 %6.1f us   (targets p50 <= 20, p99 <= 200)",
                         wakeSamples, spin, p50 / 1e3, p99 / 1e3))
        }
    }

    func socketTransfer(content: [UInt8]) throws -> [Double] {
        var fds: [Int32] = [0, 0]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0 else { throw ExitCode(74) }
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
            lastPong = try pong.waitForPublish(after: lastPong, timeout: .seconds(10))
        }
        // The peer reports its latencies through the pong segment's last blob.
        _ = waitChild(pid)
        guard let (_, bytes) = try pong.readLatest() else { throw ExitCode(70) }
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

    func run() throws {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 64)
        defer { buffer.deallocate() }
        memset(buffer, 0, size)
        var ack: UInt8 = 1
        for _ in 0 ..< rounds {
            var got = 0
            while got < size {
                let n = recv(3, buffer + got, size - got, 0)
                if n <= 0 { throw ExitCode(74) }
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
            guard try ping.read(into: buffer) != nil else { throw ExitCode(70) }
            let now = monotonicNanos()
            let stamp = buffer.bytes.loadUnaligned(fromByteOffset: 0, as: Int64.self)
            latencies.append(now - stamp)
            _ = try one.withUnsafeBytes { try pong.publish(kind: .testData, parts: [$0]) }
        }
        _ = try latencies.withUnsafeBytes { try pong.publish(kind: .testData, parts: [$0]) }
    }
}
