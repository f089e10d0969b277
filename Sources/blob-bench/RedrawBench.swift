import ArgumentParser
import BlobApps
import BlobTransfer
import Foundation
import Glibc
import TerminalUI

/// `blob-bench redraw`: how long a keystroke takes to handle and redraw in blob-writer,
/// on the in-memory terminal, in a directory of 10,000 files, idle and while a
/// 12-megapixel preview is being decoded.
struct RedrawBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redraw", abstract: "Keystroke-to-screen time of blob-writer on 10,000 files.")

    @Option(help: "Files in the directory.") var files = 10_000
    @Option(help: "Keystrokes per measurement.") var keys = 2000

    func run() throws {
        let dir = "/tmp/blob-bench-redraw-\(getpid())"
        mkdir(dir, 0o700)
        defer { _ = try? FileManager.default.removeItem(atPath: dir) }
        let tiny: [UInt8] = Array(repeating: 0, count: 100)
        for i in 0 ..< files - 1 {
            let name = String(format: "photo-%05d.png", i)
            _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(tiny))
        }
        let big = dir + "/photo-05000-big.png"  // sorts into the middle of the list
        _ = try PreviewBench().makePhotoPNG(big, width: 4000, height: 3000)

        let segment = "blob-bench-redraw-\(getpid())"
        defer { _ = shm_unlink("/" + segment) }
        let terminal = MemoryTerminal(columns: 200, rows: 60)
        // The apps' own run loop on the in-memory terminal: one step handles the key,
        // takes finished background work and redraws.
        let runner = AppRunner<WriterProgram>(
            WriterState(directory: dir, backing: .sharedMemory(try SegmentName(segment))), on: terminal)
        defer { runner.shutdown() }
        _ = runner.run(seconds: 30) { state, _ in state.entries.count == files }
        func step(_ key: Key) -> Double {
            let t0 = monotonicNanos()
            terminal.pendingKeys = [key]
            runner.step(timeoutMilliseconds: 0)
            return Double(monotonicNanos() - t0) / 1e6
        }
        print("blob-bench redraw: \(runner.state.entries.count) files, 200x60 in-memory terminal, \(keys) keystrokes each")

        // Idle: walk the list (every move also asks the worker for a preview).
        var idle = [Double]()
        for i in 0 ..< keys { idle.append(step(i % 400 < 200 ? .down : .up)) }
        report("idle (moving through tiny files)", idle)

        // Busy: highlight the 12 MP image so its decode runs, and keep typing meanwhile.
        _ = step(.char("g"))
        while runner.state.highlighted?.name != "photo-05000-big.png" { _ = step(.down) }
        var busy = [Double]()
        var decodes = 0
        for i in 0 ..< keys {
            // Leave and come back every 50 keys: each return starts a fresh 12 MP decode.
            let key: Key = i % 50 == 49 ? .up : i % 50 == 0 && i > 0 ? .down : .char("?")
            if key == .down { decodes += 1 }
            busy.append(step(key))
        }
        report("while a 12 MP preview decodes (\(decodes + 1) decodes started)", busy)
        // Page and filter keys on the full list.
        _ = step(.char("g"))
        var paging = [Double]()
        for i in 0 ..< keys / 4 { paging.append(step(i % 2 == 0 ? .pageDown : .end)) }
        _ = step(.char("/"))
        for c in "photo-0".unicodeScalars { paging.append(step(.char(c))) }
        report("paging and filtering 10,000 names", paging)
    }

    func report(_ name: String, _ ms: [Double]) {
        print(String(format: "  %@: median %.2f ms, p99 %.2f ms, max %.2f ms   (budget 16 ms)",
                     name as NSString, quantile(ms, 0.5), quantile(ms, 0.99), ms.max() ?? .nan))
    }
}
