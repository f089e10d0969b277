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
        let s = Scratch("follow")
        Fixtures.write([1, 2, 3], to: s.path("seed"))
        #expect(s.put(s.path("seed")).status == 0)
        let size = 5 << 20
        let dying = Spawn.start(CLI.helper, ["big-writer", "--segment", s.segment, "--size", String(size), "--seed", "1"],
                                environment: ["SHAREDBLOB_TEST_STOP_AT": String(2 << 20)])
        try #require(dying.waitStopped(), "the writer did not reach the stop point")
        let segment = try BlobSegment.open(.sharedMemory(try SegmentName(s.segment)), mode: .openExisting)
        let seen = Mutex<[UInt8]?>(nil)
        let follower = Follower(segment: segment, after: 1) { bytes in seen.withLock { $0 = bytes } }
        follower.start()
        // The follower hashes what the stopped writer copied, then naps on the segment.
        let deadline = ContinuousClock.now + .seconds(30)
        while segment.sleepingReaders == 0 && ContinuousClock.now < deadline { sched_yield() }
        #expect(segment.sleepingReaders > 0)
        try Self.killThenExpectTheNextWriters(dying, s, size: size, seen: seen, deadline: deadline)
    }

    /// A writer SIGKILLed after it stored its slot's sequence but before the header's
    /// (the slot looks finished, the blob was never published): a follower that hashed
    /// the whole payload does not pass that blob off; other readers still get the
    /// previous one; once the next writer publishes, the follower gets its blob.
    @Test(.timeLimit(.minutes(2))) func aWriterKilledBetweenItsTwoStoresIsNeverPassedOff() throws {
        let s = Scratch("stores")
        Fixtures.write([1, 2, 3], to: s.path("seed"))
        #expect(s.put(s.path("seed")).status == 0)
        let size = 3 << 20
        let segment = try BlobSegment.open(.sharedMemory(try SegmentName(s.segment)), mode: .openExisting)
        let seen = Mutex<[UInt8]?>(nil)
        let follower = Follower(segment: segment, after: 1) { bytes in seen.withLock { $0 = bytes } }
        follower.start()
        let deadline = ContinuousClock.now + .seconds(30)
        while segment.sleepingReaders == 0 && ContinuousClock.now < deadline { sched_yield() }
        let dying = Spawn.start(CLI.helper, ["big-writer", "--segment", s.segment, "--size", String(size), "--seed", "1"],
                                environment: ["SHAREDBLOB_TEST_STOP_BETWEEN_STORES": "1"])
        try #require(dying.waitStopped(), "the writer did not reach the stop point")
        #expect(segment.publishedSequence == 1, "the header moved before the stop")
        // The follower followed the whole copy; the finished-looking slot is not published.
        while segment.sleepingReaders == 0 && ContinuousClock.now < deadline { sched_yield() }
        #expect(segment.sleepingReaders > 0, "the follower is not waiting")
        let returned = seen.withLock { $0 != nil }
        #expect(!returned, "the follower returned an unpublished blob")
        let seed = s.get(["--out", s.path("got")])
        #expect(seed.status == 0 && Fixtures.read(s.path("got")) == [1, 2, 3], "the previous blob: \(seed.err)")
        try Self.killThenExpectTheNextWriters(dying, s, size: size, seen: seen, deadline: deadline)
    }

    /// SIGKILLs the stopped writer, runs the next one (seed 2) and expects the follower
    /// to hand over exactly its frame.
    static func killThenExpectTheNextWriters(_ dying: Spawn.Child, _ s: Scratch, size: Int, seen: borrowing Mutex<[UInt8]?>,
                                             deadline: ContinuousClock.Instant) throws {
        dying.signal(SIGKILL)
        #expect(dying.finish().status == 128 + SIGKILL)
        let next = Spawn.run(CLI.helper, ["big-writer", "--segment", s.segment, "--size", String(size), "--seed", "2"])
        #expect(next.status == 0, "\(next.err)")
        while seen.withLock({ $0 == nil }) && ContinuousClock.now < deadline { sched_yield() }
        let bytes = try #require(seen.withLock { $0 }, "the follower returned nothing")
        let expected = try BlobCodec.encode(path: "big/2", content: Fixtures.bytes(count: size, seed: 2))
        let same = bytes == expected  // a Bool: a failed #expect on MiB arrays would diff them for hours
        #expect(same, "the follower's blob (\(bytes.count) bytes) is not the second writer's (\(expected.count))")
    }
}

/// A thread that waits for the blob after `after` with a verified view and hands a copy
/// of its bytes (empty on failure) to `done`.
final class Follower: @unchecked Sendable {
    let segment: BlobSegment
    let after: UInt64
    let done: ([UInt8]) -> Void
    init(segment: BlobSegment, after: UInt64, done: @escaping ([UInt8]) -> Void) {
        self.segment = segment
        self.after = after
        self.done = done
    }

    func start() {
        Thread { [self] in
            do {
                let view = try segment.beginVerifiedView(after: after, timeout: .seconds(60))
                let bytes = [UInt8](view.bytes)
                done(segment.isStillValid(view) && view.metadata.sequence == after + 1 ? bytes : [])
            } catch {
                done([])
            }
        }.start()
    }
}
