import ArgumentParser
import Glibc
import SharedMemory

/// Locks a named mutex, says so on stdout, then waits to be killed (the robust-mutex tests
/// kill it while it holds the lock).
struct HoldMutex: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hold-mutex")
    @Argument var name: String

    func run() throws {
        let m = try NamedMutex(try SegmentName(name), create: true)
        let how = try m.lock()
        let line = "locked \(how == .previousOwnerDied ? "previous-owner-died" : "acquired")\n"
        _ = line.withCString { write(1, $0, strlen($0)) }
        while true { pause() }
    }
}
