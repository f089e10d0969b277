import Glibc
import SharedMemory

/// Watches a segment from a background thread: blocks on the segment's futex until a
/// newer blob lands, and, while the segment does not exist, on inotify until it is
/// created. Each wait is bounded (250 ms) only so that `stop` is noticed.
final class Watcher: @unchecked Sendable {
    private let backing: SegmentBacking
    private let onPublish: @Sendable (UInt64) -> Void
    private var stopped: Int32 = 0
    private var mutex = pthread_mutex_t()

    init(backing: SegmentBacking, after: UInt64, onPublish: @escaping @Sendable (UInt64) -> Void) {
        self.backing = backing
        self.onPublish = onPublish
        pthread_mutex_init(&mutex, nil)
        startThread { [self] in run(after: after) }
    }

    func stop() {
        pthread_mutex_lock(&mutex)
        stopped = 1
        pthread_mutex_unlock(&mutex)
    }

    private var isStopped: Bool {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return stopped != 0
    }

    private func run(after start: UInt64) {
        var last = start
        var segment: BlobSegment?
        while !isStopped {
            if segment == nil {
                segment = try? BlobSegment.open(backing, mode: .openExisting)
                if segment == nil { waitForCreation(); continue }
                if let s = segment, s.publishedSequence > last { last = s.publishedSequence; onPublish(last) }
            }
            do {
                let seq = try segment!.waitForPublish(after: last, timeout: .milliseconds(250))
                last = seq
                if !isStopped { onPublish(seq) }
            } catch .timedOut {
                // Segment removed meanwhile? Reopen when the name is gone.
                if !BlobSegment.exists(backing) { segment = nil; last = 0 }
            } catch {
                segment = nil
                waitForCreation()
            }
        }
    }

    /// Sleeps until something is created in the segment's directory (or 250 ms pass).
    private func waitForCreation() {
        let dir: String
        switch backing {
        case .sharedMemory: dir = "/dev/shm"
        case let .file(path): dir = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        }
        let fd = inotify_init1(Int32(IN_CLOEXEC))
        guard fd >= 0 else { usleep(250_000); return }
        defer { close(fd) }
        _ = inotify_add_watch(fd, dir.isEmpty ? "/" : dir, UInt32(IN_CREATE | IN_MOVED_TO | IN_CLOSE_WRITE))
        if BlobSegment.exists(backing) { return }
        var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        _ = poll(&p, 1, 250)
    }
}
