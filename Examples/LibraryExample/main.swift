// The library, end to end: publish a file, read it back verified, wait for the next
// publish, and read bytes where they lie (zero copy). docs/library.md shows this file;
// LibraryExampleTests builds and runs it. Usage: blob-library-example FILE
import BlobTransfer
import Glibc
import SharedMemory

let file = CommandLine.arguments[1]
// A named segment in /dev/shm (SegmentBacking.file(PATH) puts it in a regular file).
let backing = SegmentBacking.sharedMemory(try SegmentName("library-example-\(getpid())"))
defer { try? BlobSegment.remove(backing) }

// 1. Publish a file: its absolute path and its bytes, framed (the segment is created, 10 MiB).
let published = try Publisher.publish(file: file, to: backing)
print("published sequence \(published.sequence): \(published.contentLength) bytes")

// 2. Read it back: checksum verified, content copied, SHA-256 computed.
let received = try Receiver.receive(from: backing)
print("received \(received.content.count) bytes, sha256 matches: \(received.sha256 == published.sha256), \(received.integrity)")

// 3. Publish bytes of your own, and wait for a publish newer than the one you saw
//    (another process's, usually: the wait sleeps on a futex until it lands).
let segment = try BlobSegment.open(backing, mode: .openExisting)
_ = try Array("hello, shared memory".utf8).withUnsafeBytes { try segment.publishFrame(path: "/greeting", content: $0) }
let next = try segment.waitForPublish(after: published.sequence, timeout: .seconds(10))
print("sequence \(next) landed")

// 4. Read bytes where they lie: verified in place, no copy; the view is valid only inside.
if let view = try segment.withVerifiedView({ metadata, payload in (metadata.sequence, payload.count) }) {
    print("verified in place: sequence \(view.result.0), \(view.result.1) bytes")
}

// 5. Write straight into the free slot (a loan), then commit it or abandon it: nothing is
//    visible until the commit, and an abandoned loan (or a writer that dies) publishes nothing.
do {
    let loan = try segment.loan(kind: .testData, length: 4)
    loan.bytes.copyBytes(from: [1, 2, 3, 4])
    let committed = try loan.commit()
    // The unverified view trusts the seqlock alone (no checksum pass): for callers who accept that.
    if let seen = try segment.withUnverifiedView({ _, payload in Array(payload) }) {
        print("loaned and committed sequence \(committed.sequence): \(seen.result)")
    }
}
