import Foundation
import Glibc
import SharedMemory
import Synchronization
import Testing
import TestSupport

/// The lengths of large pattern blobs (1 MiB and up: the size readers follow).
func largeLength(_ sequence: UInt64) -> Int { (1 << 20) + Int(sequence % 5) * 300_000 }

/// Whether `view` is exactly large pattern blob `sequence` (``largeLength(_:)``) (one `memcmp`:
/// quick enough that the writer has rarely reused the slot by the time it is done).
func isPattern(_ view: UnsafeRawBufferPointer, of sequence: UInt64) -> Bool {
    guard view.count == largeLength(sequence) else { return false }
    let want = [UInt8](repeating: UInt8(truncatingIfNeeded: sequence), count: view.count)
    return want.withUnsafeBytes { memcmp($0.baseAddress!, view.baseAddress!, view.count) == 0 }
}

@Suite(.serialized) struct FollowTests {
    /// The CPU count behind following is kept a second, but a mask set through
    /// `ThreadAffinity` is seen at once: pinned to one CPU, this thread's readers do not
    /// follow (their waits spin yielding); free again, they do.
    @Test(.enabled(if: sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1, "one CPU: readers never follow"))
    func aPinnedThreadStopsFollowingAtOnce() throws {
        let all = Array(0 ..< Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        defer { ThreadAffinity.set(all) }
        try #require(ThreadAffinity.set(all))
        #expect(BlobSegment.readersFollow)
        try #require(ThreadAffinity.set([all[0]]))
        #expect(!BlobSegment.readersFollow)
        try #require(ThreadAffinity.set(all))
        #expect(BlobSegment.readersFollow)
    }

    /// A reader waiting with `beginVerifiedView(after:)` under a writer publishing large
    /// blobs flat out gets each time a newer blob, intact whenever the view is still
    /// valid after use; with a second CPU most are verified behind the writer's copy.
    @Test func followingReadersGetEveryLargeBlobIntact() throws {
        let s = ScratchSegment("follow")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 4 << 20)
        let writer = PatternWriter(segment, length: largeLength)
        defer { writer.halt() }
        var last: UInt64 = 0, torn = 0, intact = 0, followed = 0
        for _ in 0 ..< 300 {
            let view = try segment.beginVerifiedView(after: last, timeout: .seconds(20))
            #expect(view.metadata.sequence > last)
            let whole = isPattern(view.bytes, of: view.metadata.sequence)
            if segment.isStillValid(view) {
                if whole { intact += 1 } else { torn += 1 }
            }
            if view.followed { followed += 1 }
            last = view.metadata.sequence
        }
        #expect(torn == 0)
        #expect(intact > 0)
        if BlobSegment.readersFollow {
            #expect(followed > 0, "no view was verified behind the copy")
        } else {
            #expect(followed == 0)
        }
    }

    /// A reader following a publish gets the same blob a reader verifying afterwards
    /// gets: its bytes and its metadata; and a wait with nothing coming times out.
    @Test func aFollowedViewIsTheBlobAndAWaitWithNothingComingTimesOut() throws {
        let s = ScratchSegment("follow2")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 4 << 20)
        let other = try BlobSegment.open(s.backing, mode: .openExisting)
        let content = Fixtures.bytes(count: 3 << 20, seed: 77)
        let seen = Mutex<(ok: Bool, sequence: UInt64)?>(nil)
        let reader = Thread {
            do {
                let view = try other.beginVerifiedView(after: 0, timeout: .seconds(20))
                let ok = view.bytes.elementsEqual(content) && other.isStillValid(view)
                seen.withLock { $0 = (ok, view.metadata.sequence) }
            } catch {
                seen.withLock { $0 = (false, 0) }
            }
        }
        reader.start()
        // Publish once the reader sleeps on the segment (bounded), so it may follow.
        let deadline = ContinuousClock.now + .seconds(20)
        while segment.sleepingReaders == 0 && ContinuousClock.now < deadline { sched_yield() }
        let receipt = try content.withUnsafeBytes { try segment.publish(kind: BlobKind(rawValue: 3), parts: [$0]) }
        while seen.withLock({ $0 == nil }) && ContinuousClock.now < deadline { sched_yield() }
        let result = try #require(seen.withLock { $0 })
        #expect(result.ok && result.sequence == receipt.metadata.sequence)
        #expect(throws: SharedMemoryError.timedOut(after: receipt.metadata.sequence)) {
            _ = try segment.beginVerifiedView(after: receipt.metadata.sequence, timeout: .milliseconds(50))
        }
    }

    /// The rule: twice a short wait for a small blob, between 30 µs and 200 µs; 30 µs after
    /// a wait over 200 µs or for a blob of 1 MiB or more.
    @Test func theLearntSpinIsTwiceAShortWaitForASmallBlobAndBoundedElse() {
        let rule = BlobSegment.waitSpin(afterWaiting:forLength:)
        let small = 64, large = 1 << 20
        #expect(rule(.zero, small) == .microseconds(30))
        #expect(rule(.microseconds(10), small) == .microseconds(30))
        #expect(rule(.microseconds(40), small) == .microseconds(80))
        #expect(rule(.microseconds(100), small) == .microseconds(200))
        #expect(rule(.microseconds(150), small) == .microseconds(200))
        #expect(rule(.microseconds(200), small) == .microseconds(200))
        #expect(rule(.nanoseconds(200_001), small) == .microseconds(30))
        #expect(rule(.seconds(Int64.max / 4), small) == .microseconds(30))
        #expect(rule(.microseconds(-5), small) == .microseconds(30))
        #expect(rule(.microseconds(40), large - 1) == .microseconds(80))
        #expect(rule(.microseconds(40), large) == .microseconds(30))
    }

    /// End to end, through a handle: its waits for small blobs that end quickly lengthen
    /// its spin (at most 0.2 ms); a slow wait, a large blob or a timeout set it back to
    /// 30 µs. The quick blobs come 20 µs after each request, within the spin the reader
    /// has: no wake-up is on the path. Each step needs one wait that took the time asked
    /// for, out of many tries (a busy machine may stretch any one of them). The same for
    /// a verified view and for a bare wait (`waitForPublish` without a spin of its own).
    @Test(arguments: ["view", "wait"])
    func aReaderLearnsToSpinForQuickSmallBlobsAndForgetsForSlowOrLargeOnes(waiting: String) throws {
        let s = ScratchSegment("spin")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 2 << 20)
        let publisher = DelayedPublisher(try BlobSegment.open(s.backing, mode: .openExisting))
        defer { publisher.halt() }
        let base: Duration = .microseconds(30)
        #expect(segment.waitSpin == base)
        var last: UInt64 = 0
        func wait() throws -> UInt64 {
            waiting == "view"
                ? try segment.beginVerifiedView(after: last, timeout: .seconds(20)).metadata.sequence
                : try segment.waitForPublish(after: last, timeout: .seconds(20))
        }
        func until(_ goal: () -> Bool, length: Int, delay: Duration) throws -> Bool {
            for _ in 0 ..< 1000 {
                publisher.request(length: length, delay: delay)
                last = try wait()
                if goal() { return true }
            }
            return false
        }
        let quick: Duration = .microseconds(20)
        let longer = { segment.waitSpin > base }
        #expect(try until(longer, length: 64, delay: quick), "no quick wait lengthened the spin")
        #expect(segment.waitSpin <= .microseconds(200))
        #expect(try until({ segment.waitSpin == base }, length: 64, delay: .milliseconds(2)), "a slow wait kept the spin")
        #expect(try until(longer, length: 64, delay: quick))
        #expect(try until({ segment.waitSpin == base }, length: 1 << 20, delay: quick), "a large blob kept the spin")
        #expect(try until(longer, length: 64, delay: quick))
        #expect(throws: SharedMemoryError.timedOut(after: last)) {
            if waiting == "view" {
                _ = try segment.beginVerifiedView(after: last, timeout: .milliseconds(1))
            } else {
                _ = try segment.waitForPublish(after: last, timeout: .milliseconds(1))
            }
        }
        #expect(segment.waitSpin == base, "a timeout kept the spin")
        #expect(publisher.failures == 0)
    }
}

/// Publishes one blob per ``request(length:delay:)`` on its own thread, `delay` after the
/// request (measured by the clock while yielding: short and sure, not a sleep).
final class DelayedPublisher: @unchecked Sendable {
    let segment: BlobSegment
    private let asked = Mutex<(count: Int, length: Int, delay: Duration)>((0, 0, .zero))
    private let stop = Atomic<Bool>(false)
    private let finished = Atomic<Bool>(false)
    private let failed = Atomic<Int>(0)
    /// How many publishes threw.
    var failures: Int { failed.load(ordering: .relaxed) }

    init(_ segment: BlobSegment) {
        self.segment = segment
        Thread { [self] in run() }.start()
    }

    func request(length: Int, delay: Duration) {
        asked.withLock { $0 = ($0.count + 1, length, delay) }
    }

    private func run() {
        var served = 0
        while !stop.load(ordering: .relaxed) {
            let (count, length, delay) = asked.withLock { $0 }
            guard count > served else { sched_yield(); continue }
            served = count
            let due = ContinuousClock.now + delay
            while ContinuousClock.now < due { sched_yield() }
            let bytes = [UInt8](repeating: UInt8(truncatingIfNeeded: count), count: length)
            do {
                _ = try bytes.withUnsafeBytes { try segment.publish(kind: .imageData, bytes: $0) }
            } catch {
                failed.add(1, ordering: .relaxed)
            }
        }
        finished.store(true, ordering: .releasing)
    }

    func halt() {
        stop.store(true, ordering: .relaxed)
        let deadline = ContinuousClock.now + .seconds(20)
        while !finished.load(ordering: .acquiring) && ContinuousClock.now < deadline { sched_yield() }
    }
}
