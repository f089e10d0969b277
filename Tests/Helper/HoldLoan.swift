import ArgumentParser
import Glibc
import SharedMemory

/// Loans the free slot of a segment, scribbles over half of it, says so on stdout, then
/// waits to be killed holding the loan (the loan tests kill it there).
struct HoldLoan: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "hold-loan")
    @Argument var name: String
    @Argument var length: Int

    func run() throws {
        let segment = try BlobSegment.open(.sharedMemory(try SegmentName(name)), mode: .openExisting)
        let loan = try segment.loan(kind: .testData, length: length)
        memset(loan.bytes.baseAddress!, 0xEE, length / 2)
        _ = "loaned\n".withCString { write(1, $0, strlen($0)) }
        // Used after the wait, so that it stays open during it (Swift may end a value's
        // lifetime at its last use).
        for _ in 0 ..< Int.max { pause() }
        loan.abandon()
    }
}
