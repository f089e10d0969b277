import Foundation
import Glibc
import SharedMemory
import Synchronization
import Testing
import TestSupport

/// A writer thread that publishes until stopped; payload N is `length(N)` bytes (by
/// default ``length(_:)``), all equal to `UInt8(truncatingIfNeeded: N)`, so any view can
/// be checked for tearing.
final class PatternWriter: @unchecked Sendable {
    let segment: BlobSegment
    let length: @Sendable (UInt64) -> Int
    private let stop = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)

    init(_ segment: BlobSegment, length: @escaping @Sendable (UInt64) -> Int = PatternWriter.length) {
        self.segment = segment
        self.length = length
        let thread = Thread { [self] in run() }
        thread.start()
    }

    static func length(_ sequence: UInt64) -> Int { 64 * 1024 + Int(sequence % 7) * 100_000 }

    private func run() {
        var bytes = [UInt8]()
        while !stop.load(ordering: .relaxed) {
            let next = segment.publishedSequence + 1
            bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: next), count: length(next))
            _ = try! bytes.withUnsafeBytes { try segment.publish(kind: .imageData, parts: [$0]) }
        }
        finished.store(true, ordering: .releasing)
    }

    func halt() {
        stop.store(true, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(20)
        while !finished.load(ordering: .acquiring) && ContinuousClock.now < deadline { sched_yield() }
    }
}

/// Whether `view` is exactly what publish `sequence` wrote.
func isIntact(_ sequence: UInt64, _ view: UnsafeRawBufferPointer) -> Bool {
    let want = UInt8(truncatingIfNeeded: sequence)
    return view.count == PatternWriter.length(sequence) && !view.contains { $0 != want }
}

@Suite(.serialized) struct ZeroCopyTests {
    /// A caller that outlasts two publishes has every view taken away: each is reported
    /// overwritten and dropped, then the verified copy is served, intact.
    @Test func aViewOverwrittenWhileInUseIsRetriedThenCopied() throws {
        let s = ScratchSegment("zc")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 1 << 20)
        let writer = PatternWriter(segment)
        defer { writer.halt() }
        _ = try segment.waitForPublish(after: 0, timeout: .seconds(20))
        var calls = 0
        let viewed = try #require(try segment.withVerifiedView { metadata, view -> Bool in
            calls += 1
            // Hold the view until the writer has reused its slot (bounded).
            let deadline = ContinuousClock.now + .seconds(20)
            while segment.publishedSequence < metadata.sequence + 2 && ContinuousClock.now < deadline { sched_yield() }
            return isIntact(metadata.sequence, view)
        })
        #expect(viewed.overwritten == BlobSegment.maxViewAttempts)
        // The body ran on each view that survived hashing, and once more on the copy.
        #expect(viewed.source == .copy && calls >= 1 && calls <= BlobSegment.maxViewAttempts + 1)
        #expect(viewed.result)  // the copy is exactly the blob its metadata names
    }

    /// Under a writer publishing as fast as it can, no view that comes back stable is
    /// torn, whether it was served from the mapping or, after overwrites, from a copy.
    /// (How many come from the mapping depends on the machine's load; a quiet reader is
    /// served from the mapping in `deliverWritesFromTheMapping`.)
    @Test func noTornViewIsEverReportedVerified() throws {
        let s = ScratchSegment("zc2")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 1 << 20)
        let writer = PatternWriter(segment)
        defer { writer.halt() }
        _ = try segment.waitForPublish(after: 0, timeout: .seconds(20))
        var torn = 0, served = 0
        for _ in 0 ..< 2000 {
            guard let viewed = try segment.withVerifiedView({ isIntact($0.sequence, $1) }) else { continue }
            served += 1
            if !viewed.result { torn += 1 }
            #expect(viewed.source == .mapping || viewed.overwritten == BlobSegment.maxViewAttempts)
        }
        #expect(torn == 0)
        #expect(served == 2000)
    }
}
