import Platform
import SharedMemory

/// Follows a segment's publishes from a background thread: sleeps on the segment's
/// futex until a newer blob lands and, while the segment does not exist, on inotify
/// until it is created (so it survives `rm` and a re-create). Each wait is bounded
/// (250 ms) only so that cancellation is noticed.
public enum SegmentWatcher {
    /// How long one wait may last before `isCancelled` is asked again.
    static let pollInterval: Duration = .milliseconds(250)

    /// Calls `onPublish` with every sequence published after `after` (what the caller
    /// has already shown; 0 for nothing), until `isCancelled()` returns true. Taking the
    /// starting point from the caller, not from when this thread happens to start, means
    /// a publish that lands in between is not lost.
    ///
    /// `onRefusal` hears why an object at the name cannot be followed (another user's,
    /// one others may write, not a segment: re-created by someone else while watched);
    /// it returns whether to stop. By default the watch goes on (it may be replaced again).
    /// `onRemoval` hears that the segment being followed was removed (the watch goes on,
    /// for one created again under the name).
    public static func watch(_ backing: SegmentBacking, after: UInt64, isCancelled: () -> Bool,
                             onRefusal: (SharedMemoryError) -> Bool = { _ in false }, onRemoval: () -> Void = {},
                             onPublish: (UInt64) -> Void) {
        var last = after
        var segment: BlobSegment?
        while !isCancelled() {
            if segment == nil {
                do throws(SharedMemoryError) {
                    segment = try BlobSegment.open(backing, mode: .openExisting)
                } catch {
                    switch error {
                    case .untrusted, .foreign, .corrupt:
                        if onRefusal(error) { return }
                    default:
                        break
                    }
                }
                guard let opened = segment else {
                    // Missing: sleep on inotify until it is created. There but refused
                    // (another user's, half-created): look again after a pause, not at once.
                    if BlobSegment.exists(backing) {
                        CurrentProcess.sleep(pollInterval)
                    } else {
                        _ = BlobSegment.waitForCreation(backing, timeout: pollInterval)
                    }
                    continue
                }
                if opened.publishedSequence > last {
                    last = opened.publishedSequence
                    onPublish(last)
                }
            }
            do throws(SharedMemoryError) {
                let sequence = try segment!.waitForPublish(after: last, timeout: pollInterval, spin: .zero)  // people watch: no spin
                last = sequence
                if !isCancelled() { onPublish(sequence) }
            } catch .timedOut {
                // Removed meanwhile (perhaps already created again under the same name)?
                // Start over on whatever the name holds now.
                if segment!.isRemoved {
                    segment = nil
                    last = 0
                    if !isCancelled() { onRemoval() }
                }
            } catch {
                segment = nil
                if !isCancelled() { onRemoval() }
                _ = BlobSegment.waitForCreation(backing, timeout: pollInterval)
            }
        }
    }
}

extension SegmentWatcher {
    /// Waits for a publish newer than `after` at most `timeout` (nil: for ever), following
    /// the segment through removal and re-creation; the sequence seen, or nil on timeout.
    ///
    /// - Throws: why the object now at the name is refused (re-created by another user,
    ///   say): a wait never goes on silently on something it will not read.
    public static func nextPublish(_ backing: SegmentBacking, after: UInt64, timeout: Duration?) throws(SharedMemoryError) -> UInt64? {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var seen: UInt64?
        var refused: SharedMemoryError?
        watch(backing, after: after, isCancelled: { seen != nil || deadline.map { clock.now >= $0 } ?? false },
              onRefusal: { refused = $0; return true }) { seen = $0 }
        if let refused { throw refused }
        return seen
    }
}
