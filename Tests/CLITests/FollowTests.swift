import BlobCodec
import Foundation
import Glibc
import SharedMemory
import Synchronization
import Testing
import TestSupport

/// Readers that hash a large publish behind the writer's copy, against writers that die.
@Suite(.serialized) struct FollowTests {
    /// A reader following a publish whose writer is SIGKILLed halfway (it had hashed what
    /// the dead writer copied) gets, once the next writer takes the lock over and
    /// publishes other bytes, exactly the next writer's blob, verified.
    @Test(.timeLimit(.minutes(2))) func aFollowerOfAKilledWriterGetsTheNextBlobIntact() throws {
        let s = Self.seeded("follow")
        let size = 5 << 20
        let dying = Self.bigWriter(s, size: size, seed: 1, environment: ["SHAREDBLOB_TEST_STOP_AT": String(2 << 20)])
        try #require(dying.waitStopped(), "the writer did not reach the stop point")
        // The follower hashes what the stopped writer copied, then naps on the segment.
        let follower = try Follower(s, after: 1)
        #expect(follower.waitAsleep())
        try Self.killThenExpectTheNextWriters(dying, s, size: size, follower: follower)
    }

    /// A writer SIGKILLed after it stored its slot's sequence but before the header's
    /// (the slot looks finished, the blob was never published): a follower that hashed
    /// the whole payload does not pass that blob off; other readers still get the
    /// previous one; once the next writer publishes, the follower gets its blob.
    @Test(.timeLimit(.minutes(2))) func aWriterKilledBetweenItsTwoStoresIsNeverPassedOff() throws {
        let s = Self.seeded("stores")
        let size = 3 << 20
        let follower = try Follower(s, after: 1)
        _ = follower.waitAsleep()
        let dying = Self.bigWriter(s, size: size, seed: 1, environment: ["SHAREDBLOB_TEST_STOP_BETWEEN_STORES": "1"])
        try #require(dying.waitStopped(), "the writer did not reach the stop point")
        #expect(follower.segment.publishedSequence == 1, "the header moved before the stop")
        // The follower followed the whole copy; the finished-looking slot is not published.
        #expect(follower.waitAsleep(), "the follower is not waiting")
        #expect(!follower.returned, "the follower returned an unpublished blob")
        let seed = s.get(["--out", s.path("got")])
        #expect(seed.status == 0 && Fixtures.read(s.path("got")) == [1, 2, 3], "the previous blob: \(seed.err)")
        try Self.killThenExpectTheNextWriters(dying, s, size: size, follower: follower)
    }

    /// A scratch segment holding one small blob (sequence 1, the bytes 1 2 3).
    static func seeded(_ name: String) -> Scratch {
        let s = Scratch(name)
        Fixtures.write([1, 2, 3], to: s.path("seed"))
        #expect(s.put(s.path("seed")).status == 0)
        return s
    }

    /// The test helper publishing one `size`-byte frame labelled `big/SEED`.
    static func bigWriter(_ s: Scratch, size: Int, seed: UInt64, environment: [String: String]) -> Spawn.Child {
        Spawn.start(CLI.helper, ["big-writer", "--segment", s.segment, "--size", String(size), "--seed", String(seed)],
                    environment: environment)
    }

    /// SIGKILLs the stopped writer, runs the next one (seed 2) and expects the follower
    /// to hand over exactly its frame.
    static func killThenExpectTheNextWriters(_ dying: Spawn.Child, _ s: Scratch, size: Int, follower: Follower) throws {
        dying.signal(SIGKILL)
        #expect(dying.finish().status == 128 + SIGKILL)
        let next = bigWriter(s, size: size, seed: 2, environment: [:]).finish()
        #expect(next.status == 0, "\(next.err)")
        let bytes = try #require(follower.result(), "the follower returned nothing")
        let expected = try BlobCodec.encode(path: "big/2", content: Fixtures.bytes(count: size, seed: 2))
        let same = bytes == expected  // a Bool: a failed #expect on MiB arrays would diff them for hours
        #expect(same, "the follower's blob (\(bytes.count) bytes) is not the second writer's (\(expected.count))")
    }
}

/// A thread, started at once, that waits for the blob after `after` with a verified view
/// and keeps a copy of its bytes (empty on failure). Every wait on it is bounded (30 s).
final class Follower: @unchecked Sendable {
    let segment: BlobSegment
    private let seen = Mutex<[UInt8]?>(nil)
    private let deadline = ContinuousClock.now + .seconds(30)

    init(_ s: Scratch, after: UInt64) throws {
        segment = try BlobSegment.open(.sharedMemory(try SegmentName(s.segment)), mode: .openExisting)
        Thread { [self] in
            var bytes: [UInt8] = []
            if let view = try? segment.beginVerifiedView(after: after, timeout: .seconds(60)) {
                let copy = [UInt8](view.bytes)
                if segment.isStillValid(view) && view.metadata.sequence == after + 1 { bytes = copy }
            }
            seen.withLock { $0 = bytes }
        }.start()
    }

    /// Whether it has handed over a result yet.
    var returned: Bool { seen.withLock { $0 != nil } }

    /// Waits until some reader sleeps on the segment; whether one does.
    func waitAsleep() -> Bool {
        while segment.sleepingReaders == 0 && ContinuousClock.now < deadline { sched_yield() }
        return segment.sleepingReaders > 0
    }

    /// Waits for its result; nil when none came in time.
    func result() -> [UInt8]? {
        while !returned && ContinuousClock.now < deadline { sched_yield() }
        return seen.withLock { $0 }
    }
}
