import ArgumentParser
import BlobCLI
import Glibc
import SharedMemory
import SharedRecords

/// The second article's parent/child demo: a Swift parent and a C child exchange
/// "hello world!" and "terminate" through a ControllerData record under a named mutex.
@main
struct IpcDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-ipc-demo",
        abstract: "Parent/child demo: a Swift parent and a C child talk through a shared record.",
        subcommands: [RunDemo.self], defaultSubcommand: RunDemo.self)
}

/// A failure of the demo: the sentence and its status from the exit-status table.
struct DemoError: Error {
    let message: String
    let status: ExitStatus
    init(message: String, status: ExitStatus) { self.message = message; self.status = status }
    /// An engine error, with the status the commands give it (77 for another user's object).
    init(_ error: any Error) {
        let (status, message) = Failure.classify(error) ?? (.software, "\(error)")
        self.init(message: message, status: status)
    }
}

struct RunDemo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the demo (the default).")

    @Option(help: "Seconds between \"hello world!\" and \"terminate\".") var delay = 2.0
    @Option(help: "The C child program (default: blob-ipc-child beside this executable).") var child: String?
    @Option(help: "Record segment name.") var segment = "IpcDemoChannel"
    @Option(help: "Mutex name.") var mutex = "IpcDemoMutex"

    func run() throws {
        do {
            try demo()
        } catch let e as DemoError {
            emit(2, "Error: \(e.message)\n")
            throw ExitCode(e.status.rawValue)
        }
    }

    func say(_ line: String) { emit(1, line + "\n") }

    func demo() throws {
        let childPath = child ?? (selfDirectory() + "/blob-ipc-child")
        guard access(childPath, X_OK) == 0 else {
            throw DemoError(message: "child program not found or not executable: \(childPath)", status: .unavailable)
        }
        say("[Parent] Process started")
        let segName = try SegmentName(segment), mutexName = try SegmentName(mutex)
        let record: Record
        do {
            record = try Record(ControllerData.layout, segment: .sharedMemory(segName), mode: .createOrOpen)
        } catch {
            if case let .segment(e) = error { throw DemoError(e) }
            throw DemoError(error)
        }
        defer { try? MappedRegion.remove(.sharedMemory(segName)) }
        let lock: NamedMutex
        do { lock = try NamedMutex(mutexName, create: true) } catch { throw DemoError(error) }
        defer { try? NamedMutex.remove(mutexName) }
        say("[Parent] Sending: hello world!")
        // Every wait for the mutex is bounded: a holder that never lets go is a timeout.
        let wait = Duration.seconds(10)
        try locked(lock, wait) {
            record[ControllerData.heartbeatSignal] = 0
            try record.set(ControllerData.messageBuffer, string: "hello world!")
        }
        let pid = try spawn(childPath, [mutex, segment, String(max(10, delay * 4 + 10))])
        // Wait (bounded) until the child has read the first message, so the lines come in
        // the seed's order whatever the scheduling; the child answers through HeartbeatSignal.
        let deadline = now() + 10
        while try locked(lock, wait, { record[ControllerData.heartbeatSignal] }) == 0 {
            if let status = reapIfExited(pid) {
                throw DemoError(message: "the child exited with status \(status) before reading the message", status: .software)
            }
            if now() > deadline {
                kill(pid, SIGKILL); _ = waitStatus(pid)
                throw DemoError(message: "the child did not read the message within 10 seconds", status: .timedOut)
            }
            usleep(5000)
        }
        usleep(useconds_t(max(0, delay) * 1_000_000))
        say("[Parent] Sending: terminate")
        try locked(lock, wait) { try record.set(ControllerData.messageBuffer, string: "terminate\0") }
        let end = now() + 10
        var status: Int32?
        while status == nil {
            status = reapIfExited(pid)
            if status == nil && now() > end {
                kill(pid, SIGKILL); _ = waitStatus(pid)
                throw DemoError(message: "the child did not terminate within 10 seconds", status: .timedOut)
            }
            if status == nil { usleep(5000) }
        }
        guard status == 0 else { throw DemoError(message: "the child failed with status \(status!)", status: .software) }
        say("[Parent] Process terminated")
    }
}

/// `body` under the mutex, waited for at most `timeout`; a timeout is the demo's error.
func locked<R>(_ lock: NamedMutex, _ timeout: Duration, _ body: () throws -> R) throws -> R {
    do {
        return try lock.withLock(timeout: timeout) { _ in try body() }
    } catch let e as SharedMemoryError {
        throw DemoError(e)
    }
}

let started = ContinuousClock.now

/// Seconds since the demo started, on the monotonic clock, for its bounded waits.
func now() -> Double {
    let t = started.duration(to: .now)
    return Double(t.components.seconds) + Double(t.components.attoseconds) / 1e18
}

func selfDirectory() -> String {
    var buf = [CChar](repeating: 0, count: 4096)
    let n = readlink("/proc/self/exe", &buf, buf.count - 1)
    let path = String(decoding: buf[0 ..< max(n, 0)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    return String(path[..<(path.lastIndex(of: "/") ?? path.endIndex)])
}

func spawn(_ path: String, _ arguments: [String]) throws -> pid_t {
    let argv = ([path] + arguments).map { strdup($0) } + [nil]
    defer { argv.forEach { free($0) } }
    var pid: pid_t = 0
    let rc = posix_spawn(&pid, path, nil, nil, argv, environ)
    guard rc == 0 else { throw DemoError(message: "cannot start \(path): \(String(cString: strerror(rc)))", status: .unavailable) }
    return pid
}

func reapIfExited(_ pid: pid_t) -> Int32? {
    var st: Int32 = 0
    guard waitpid(pid, &st, WNOHANG) == pid else { return nil }
    return (st & 0x7F) == 0 ? (st >> 8) & 0xFF : 128 + (st & 0x7F)
}

func waitStatus(_ pid: pid_t) -> Int32 {
    var st: Int32 = 0
    waitpid(pid, &st, 0)
    return st
}

/// Writes a line unbuffered, so parent and child lines interleave in the order they happen.
func emit(_ fd: Int32, _ text: String) {
    var text = text
    text.withUTF8 { buf in _ = write(fd, buf.baseAddress, buf.count) }
}
