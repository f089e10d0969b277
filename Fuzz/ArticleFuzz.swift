// libFuzzer target: the article layout's reads (`--layout article`), whose bytes any
// local writer (the C# programs among them) controls. Each input is written as a --file
// segment of its own size, then read as the reader app, `get`, `get-struct` and `info`
// read it. Whatever the bytes: an error or a frame inside the mapping, never a trap.
import BlobTransfer
import Glibc

let path = "/dev/shm/sharedblob-fuzz-article-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }  // an empty file is not a mapping
    // Nothing else writes the file: the settling wait (50 ms a read) would only slow the search.
    ArticleTransfer.settle = .zero
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    precondition(fd >= 0, "cannot create \(path)")
    var done = 0
    while done < size { done += max(0, write(fd, data + done, size - done)) }
    close(fd)
    defer { unlink(path) }
    let backing = SegmentBacking.file(path)
    if case let .file(file, _)? = try? ArticleTransfer.readForDisplay(from: backing) {
        precondition(file.content.count + file.path.utf8.count + 8 <= size, "a frame larger than the mapping")
    }
    if let file = try? ArticleTransfer.receive(from: backing) {
        precondition(file.content.count <= size)
    }
    _ = try? ArticleTransfer.receiveRecord(from: backing)
    _ = try? SegmentReport.of(backing, format: .article).json()
    return 0
}
