import Glibc
import SharedMemory
import Testing
import TestSupport

/// The loan (a producer writing straight into the free slot), the unverified view, and
/// the waiter count that spares writers a wake call.
@Suite struct LoanTests {
    private func latest(_ segment: BlobSegment) throws -> [UInt8]? {
        try segment.readLatest()?.payload
    }

    @Test func aCommittedLoanIsPublishedAndVerifiable() throws {
        let s = ScratchSegment("loan")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 4096)
        let loan = try segment.loan(kind: .testData, length: 100)
        #expect(loan.bytes.count == 100)
        for i in 0 ..< 100 { loan.bytes[i] = UInt8(i) }
        let receipt = try loan.commit(count: 60)
        #expect(receipt.metadata.length == 60 && receipt.sequence == 1)
        #expect(try latest(segment) == (0 ..< 60).map { UInt8($0) })
        let view = try #require(try segment.withVerifiedView { _, bytes in Array(bytes) })
        #expect(view.result == (0 ..< 60).map { UInt8($0) })
    }

    /// Abandoned, dropped, or asked to commit more than it holds: nothing is published,
    /// the previous blob stays the latest, and the lock is free again.
    @Test func anAbandonedLoanLeavesThePreviousBlob() throws {
        let s = ScratchSegment("loan")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 4096)
        let first: [UInt8] = [1, 2, 3]
        _ = try first.withUnsafeBytes { try segment.publish(kind: .testData, parts: [$0]) }

        let loan = try segment.loan(kind: .testData, length: 3000)
        memset(loan.bytes.baseAddress!, 0xAB, 3000)
        loan.abandon()
        #expect(try latest(segment) == first)

        do {
            let dropped = try segment.loan(kind: .testData, length: 10)
            memset(dropped.bytes.baseAddress!, 0xCD, 10)
        }
        #expect(try latest(segment) == first)

        let over = try segment.loan(kind: .testData, length: 10)
        do throws(SharedMemoryError) {
            _ = try over.commit(count: 11)
            Issue.record("a commit beyond the loan was accepted")
        } catch {
            #expect(error == .tooLarge(length: 11, capacity: 10))
        }
        #expect(try latest(segment) == first)
        #expect(segment.publishedSequence == 1)

        // The lock was released every time: a publish goes through at once.
        _ = try ([9] as [UInt8]).withUnsafeBytes { try segment.publish(kind: .testData, parts: [$0]) }
        #expect(try latest(segment) == [9])
    }

    /// A thread that asks for the lock while its own loan is open is told so, not hung.
    @Test func publishingDuringYourOwnLoanIsRefused() throws {
        let s = ScratchSegment("loan")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 4096)
        let loan = try segment.loan(kind: .testData, length: 1)
        #expect(throws: SharedMemoryError.lockHeldByThisThread(s.backing)) {
            _ = try segment.loan(kind: .testData, length: 1)
        }
        loan.abandon()
    }

    /// A writer killed while it holds a loan: readers keep the previous blob, and the
    /// next writer takes the lock over at once instead of waiting out a timeout.
    @Test(.timeLimit(.minutes(1))) func aWriterKilledHoldingALoanLeavesThePreviousBlob() throws {
        let s = ScratchSegment("loan")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 1 << 20)
        let first = Fixtures.bytes(count: 5000, seed: 4)
        _ = try first.withUnsafeBytes { try segment.publish(kind: .testData, parts: [$0]) }
        let holder = Spawn.start(Fixtures.executable("blob-test-helper"), ["hold-loan", s.name, String(1 << 20)])
        #expect(holder.waitForOutput("loaned"))
        // While it holds the loan, other writers are held off (bounded) and readers see the first blob.
        #expect(throws: SharedMemoryError.lockTimedOut(s.backing, holder: holder.pid, waited: .milliseconds(200))) {
            _ = try segment.loan(kind: .testData, length: 1, lockTimeout: .milliseconds(200))
        }
        #expect(try latest(segment) == first)
        holder.signal(SIGKILL)
        #expect(holder.finish().status == 128 + SIGKILL)
        #expect(try latest(segment) == first)
        let loan = try segment.loan(kind: .testData, length: 1, lockTimeout: .seconds(5))
        loan.bytes[0] = 7
        let receipt = try loan.commit()
        #expect(receipt.sequence == 2)
        #expect(try latest(segment) == [7])
    }

    @Test func anUnverifiedViewSeesTheLatestBlobInPlace() throws {
        let s = ScratchSegment("unv")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 4096)
        #expect(try segment.withUnverifiedView { _, _ in 0 } == nil)
        _ = try ([5, 6] as [UInt8]).withUnsafeBytes { try segment.publish(kind: .testData, parts: [$0]) }
        let seen = try #require(try segment.withUnverifiedView { metadata, bytes in (metadata.sequence, Array(bytes)) })
        #expect(seen.result.0 == 1 && seen.result.1 == [5, 6])
        // It does not check the checksum: a blob corrupted in place is still served, where
        // the verified view refuses it.
        let corruptor = try BlobSegment.open(s.backing, mode: .openExisting)
        _ = try corruptor.withUnverifiedView { _, bytes in UnsafeMutableRawPointer(mutating: bytes.baseAddress!).storeBytes(of: 9, as: UInt8.self) }
        #expect(try segment.withUnverifiedView { _, bytes in Array(bytes) }?.result == [9, 6])
        #expect(throws: SharedMemoryError.self) { try segment.withVerifiedView { _, _ in 0 } }
    }

    /// A waiting reader is counted while it sleeps and uncounted when it returns, so
    /// writers make the wake call only when somebody sleeps; the wake still arrives.
    @Test(.timeLimit(.minutes(1))) func waitersAreCountedWhileTheySleep() throws {
        let s = ScratchSegment("wait")
        let segment = try BlobSegment.open(s.backing, mode: .createNew, capacity: 4096)
        #expect(segment.sleepingReaders == 0)
        let waiter = Spawn.start(Fixtures.executable("blob-reader"), ["get", "--segment", s.name, "--wait", "--timeout", "30", "--out", "-"])
        let counted = (0 ..< 4000).contains { _ in
            var none = pollfd(fd: -1, events: 0, revents: 0)
            _ = poll(&none, 0, 5)
            return segment.sleepingReaders == 1
        }
        #expect(counted)
        _ = try ([4, 2] as [UInt8]).withUnsafeBytes { try segment.publishFrame(path: "/x", content: $0) }
        let r = waiter.finish(seconds: 30)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.stdout == [4, 2])
        #expect(segment.sleepingReaders == 0)
    }
}
