import ArgumentParser
import CPNG
import CTurboJPEG
import Foundation
import Glibc

/// A process's median wall time and peak resident memory over its runs.
struct Measurement { var ms: Double; var mib: Double }

/// One measured row: the name, then time and peak memory.
func row(_ name: String, _ m: Measurement) -> String {
    name.padding(toLength: 42, withPad: " ", startingAt: 0) + String(format: "%8.1f ms  %7.1f MiB peak", m.ms, m.mib)
}

/// Runs `argv` `runs` times under GNU time: the median wall time and peak RSS. Output goes
/// to /dev/null, or standard output to `output` (the last run's stays there). An exit
/// status outside `allowed` stops the benchmark.
func measureProcess(_ argv: [String], runs: Int, allowed: Set<Int32> = [0], output: String? = nil) -> Measurement {
    var times = [Double](), peaks = [Double]()
    for _ in 0 ..< runs {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_addopen(&actions, 1, output ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let errFile = "/tmp/blob-bench-err-\(getpid())"
        posix_spawn_file_actions_addopen(&actions, 2, errFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        // GNU time reports the tool's own peak RSS; measured from here, a spawned
        // child would inherit this process's high-water mark.
        let rssFile = "/tmp/blob-bench-rss-\(getpid())"
        let full = ["/usr/bin/time", "-f", "%M", "-o", rssFile] + argv
        let args = full.map { strdup($0) } + [nil]
        var pid: pid_t = 0
        let t0 = monotonicNanos()
        let rc = posix_spawn(&pid, full[0], &actions, nil, args, environ)
        precondition(rc == 0, "cannot start \(argv[0])")
        var status: Int32 = 0
        var usage = rusage()
        wait4(pid, &status, 0, &usage)
        times.append(Double(monotonicNanos() - t0) / 1e6)
        let kib = (try? String(contentsOfFile: rssFile, encoding: .utf8))
            .flatMap { text in  // the last line: GNU time writes "Command exited with non-zero status N" first
                text.split(separator: "\n").last.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
            } ?? .nan
        unlink(rssFile)
        peaks.append(kib / 1024)
        args.forEach { free($0) }
        posix_spawn_file_actions_destroy(&actions)
        let code = (status >> 8) & 0xFF
        let err = (try? String(contentsOfFile: errFile, encoding: .utf8)) ?? ""
        unlink(errFile)
        precondition(status & 0x7F == 0 && allowed.contains(code),
                     "\(argv.joined(separator: " ")) failed with status \(status): \(err.suffix(400))")
    }
    return Measurement(ms: quantile(times, 0.5), mib: quantile(peaks, 0.5))
}

/// A tool's standard output (or, with `stderr`, its standard error), once it ended.
func processOutput(_ argv: [String], stderr: Bool = false) -> String {
    let file = "/tmp/blob-bench-out-\(getpid())"
    defer { unlink(file) }
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, stderr ? 2 : 1, file, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, stderr ? 1 : 2, "/dev/null", O_WRONLY, 0)
    let args = argv.map { strdup($0) } + [nil]
    defer { args.forEach { free($0) } }
    var pid: pid_t = 0
    precondition(posix_spawn(&pid, argv[0], &actions, nil, args, environ) == 0, "cannot start \(argv[0])")
    var status: Int32 = 0
    waitpid(pid, &status, 0)
    return (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
}

/// The benchmarks' generated photo: smooth gradients with grain, as PNG or JPEG.
enum Photo {
    /// A smooth, photo-like RGB image with mild noise, written by libpng.
    static func png(_ path: String, width: Int, height: Int, changed: (x: Int, y: Int, width: Int, height: Int)? = nil) throws -> Int {
        var pixels = self.pixels(width: width, height: height)
        if let c = changed {
            // The red channel of every pixel in the region, 9 higher (mod 256).
            for y in c.y ..< c.y + c.height { for x in c.x ..< c.x + c.width { pixels[(y * width + x) * 3] &+= 9 } }
        }
        var image = png_image()
        image.version = UInt32(PNG_IMAGE_VERSION)
        image.width = UInt32(width)
        image.height = UInt32(height)
        image.format = UInt32(PNG_FORMAT_FLAG_COLOR)
        let ok = pixels.withUnsafeBytes { png_image_write_to_file(&image, path, 0, $0.baseAddress, 0, nil) }
        guard ok != 0 else { throw ExitCode(74) }
        var st = stat()
        stat(path, &st)
        return Int(st.st_size)
    }

    /// The same pixels as a progressive JPEG (TurboJPEG, quality 90, 4:2:0), written to
    /// `path`; returns its bytes.
    static func jpeg(_ path: String, width: Int, height: Int) throws -> [UInt8] {
        let pixels = self.pixels(width: width, height: height)
        let tj = tjInitCompress()
        defer { tjDestroy(tj) }
        var out: UnsafeMutablePointer<UInt8>?
        var size: UInt = 0
        guard tjCompress2(tj, pixels, Int32(width), 0, Int32(height), Int32(TJPF_RGB.rawValue), &out, &size,
                          Int32(TJSAMP_420.rawValue), 90, Int32(TJFLAG_PROGRESSIVE)) == 0 else { throw ExitCode(70) }
        defer { tjFree(out) }
        let bytes = Array(UnsafeBufferPointer(start: out, count: Int(size)))
        guard FileManager.default.createFile(atPath: path, contents: Data(bytes)) else { throw ExitCode(74) }
        return bytes
    }

    /// Packed RGB: smooth gradients with grain of 0...3.
    static func pixels(width: Int, height: Int) -> [UInt8] {
        var pixels = [UInt8](repeating: 0, count: width * height * 3)
        var seed: UInt32 = 12345
        for y in 0 ..< height {
            for x in 0 ..< width {
                seed = seed &* 1_664_525 &+ 1_013_904_223
                let noise = Int(seed >> 30)  // 0...3: photo-like grain that still fits in 10 MiB
                let fx = Double(x) / Double(width), fy = Double(y) / Double(height)
                let r = 128 + 100 * sin(fx * 6.1 + fy * 2.3), g = 128 + 90 * cos(fy * 5.3 - fx * 1.7)
                let b = 110 + 80 * sin((fx + fy) * 4.2)
                let i = (y * width + x) * 3
                pixels[i] = UInt8(clamping: Int(r) + noise)
                pixels[i + 1] = UInt8(clamping: Int(g) + noise)
                pixels[i + 2] = UInt8(clamping: Int(b) + noise)
            }
        }
        return pixels
    }
}
