// libFuzzer target: segment header and slot validation on a mapped file. Each input is
// written as a --file segment, then opened, inspected and read (copying, in place and
// peeking). Whatever the bytes, the engine refuses them with an error or reads a
// checksum-valid payload inside the mapping; nothing may trap or read out of bounds.
import Glibc
import SharedMemory

let path = "/dev/shm/sharedblob-fuzz-\(getpid())"

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    precondition(fd >= 0, "cannot create \(path)")
    var done = 0
    while done < size { done += max(0, write(fd, data + done, size - done)) }
    close(fd)
    defer { unlink(path) }
    guard let segment = try? BlobSegment.open(.file(path), mode: .openExisting) else { return 0 }
    _ = try? segment.info()
    _ = try? segment.peekLatest(maxBytes: 64) { $1.count }
    if let viewed = try? segment.withVerifiedView({ metadata, view in view.count == metadata.length }) {
        precondition(viewed.result, "a verified view of the wrong length")
    }
    let buffer = PayloadBuffer()
    if let metadata = try? segment.read(into: buffer) {
        precondition(buffer.count == metadata.length && metadata.length <= segment.capacity)
    }
    return 0
}
