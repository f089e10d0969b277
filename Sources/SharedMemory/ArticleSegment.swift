import CAtomics
import Glibc
import Platform
import SystemPackage

/// The source article's segment, for exchanging data with its C# programs: exactly
/// `capacity` bytes (10,485,760 for its "10 MB"), the payload at offset 0 and nothing
/// else — no header, no checksum, no sequence, no lock the article's programs take.
///
/// What that layout cannot promise, this type cannot either: a writer killed mid-write
/// leaves a torn payload, a shorter payload leaves the previous one's tail after it, and
/// readers learn of a new payload only by looking. What it does add: writes from our own
/// processes serialize on `flock`; every read is bounded by the capacity, accepted only
/// when the bytes it read stayed the same for a settling time afterwards
/// (``settledRead(settle:attempts:range:consume:)``: a writer that lands a frame in pieces
/// with shorter pauses is caught; one that pauses longer is not, and nothing can tell),
/// and guarded against the file shrinking under the mapping
/// (``SharedMemoryError/shrunk(_:)``, not SIGBUS).
public final class ArticleSegment: @unchecked Sendable {
    /// The article's capacity: `10 * 1024 * 1024`.
    public static let defaultCapacity = 10 * 1024 * 1024

    private let region: MappedRegion
    /// The mapped object's own descriptor: the one that was checked, locked with flock.
    private var fd: FileDescriptor { region.fd }

    /// Where it lives.
    public var backing: SegmentBacking { region.backing }
    /// The mapping's size: every byte of it is payload space.
    public var capacity: Int { region.size }

    private init(region: MappedRegion) {
        self.region = region
    }

    /// Opens (or creates, zero-filled, with the trust policy's mode) the segment.
    ///
    /// - Parameter backing: where the segment lives.
    /// - Parameter mode: whether it may or must be created.
    /// - Parameter capacity: the size a new segment gets and an existing one must have;
    ///   nil opens an existing one at its own size (`get`, `info`).
    /// - Throws: ``SharedMemoryError/foreign(_:reason:)`` for an object of another size:
    ///   the article's programs map exactly their capacity (Mono refuses a smaller file
    ///   and crashed on a larger one).
    public static func open(_ backing: SegmentBacking, mode: BlobSegment.OpenMode,
                            capacity: Int?) throws(SharedMemoryError) -> ArticleSegment {
        try ArticleSegment(region: MappedRegion.open(backing, size: capacity, mode: mode))
    }

    /// Writes `parts` one after another from offset 0, under an exclusive `flock` so two
    /// of our writers never interleave (the article's programs take no lock). Bytes after
    /// the last part keep what they held.
    ///
    /// - Throws: ``SharedMemoryError/tooLarge(length:capacity:)`` before writing anything
    ///   when the parts do not fit; ``SharedMemoryError/shrunk(_:)`` if the file was
    ///   truncated meanwhile.
    public func write(_ parts: [UnsafeRawBufferPointer], lockTimeout: Duration = BlobSegment.defaultLockTimeout) throws(SharedMemoryError) {
        let total = parts.reduce(0) { $0 + $1.count }
        guard total <= capacity else { throw .tooLarge(length: total, capacity: capacity) }
        try locked(lockTimeout) { () throws(SharedMemoryError) in
            var offset = 0
            for part in parts where !part.isEmpty {
                if catomics_guarded_copy(region.base + offset, part.baseAddress!, part.count) != 0 { throw .shrunk(backing) }
                offset += part.count
            }
        }
    }

    /// Writes `bytes` at `offset` and nothing else, under the same `flock` as
    /// ``write(_:lockTimeout:)``: a piece of a frame, as a stream writer lands it (tests
    /// use it to play the article's C# writer).
    public func write(at offset: Int, _ bytes: UnsafeRawBufferPointer,
                      lockTimeout: Duration = BlobSegment.defaultLockTimeout) throws(SharedMemoryError) {
        guard offset >= 0, bytes.count <= capacity - offset else { throw .tooLarge(length: offset + bytes.count, capacity: capacity) }
        try locked(lockTimeout) { () throws(SharedMemoryError) in
            if !bytes.isEmpty, catomics_guarded_copy(region.base + offset, bytes.baseAddress!, bytes.count) != 0 {
                throw .shrunk(backing)
            }
        }
    }

    /// Runs `body` holding the exclusive `flock` our writers share.
    private func locked(_ lockTimeout: Duration, _ body: () throws(SharedMemoryError) -> Void) throws(SharedMemoryError) {
        do throws(SyscallError) {
            try Sys.flock(fd, LOCK_EX, timeout: lockTimeout)
        } catch {
            if error.errno == .wouldBlock { throw .lockTimedOut(backing, holder: Sys.lockHolder(of: fd), waited: lockTimeout) }
            throw .system(call: error.call, errno: error.errno, backing: backing)
        }
        defer { Sys.unlock(fd) }
        try body()
    }

    /// A little-endian Int32 at `offset` (which must leave 4 bytes in the mapping).
    public func int32(at offset: Int) throws(SharedMemoryError) -> Int32 {
        precondition(offset >= 0 && offset + 4 <= capacity)
        var value: Int32 = 0
        let rc = withUnsafeMutableBytes(of: &value) { catomics_guarded_copy($0.baseAddress!, region.base + offset, 4) }
        if rc != 0 { throw .shrunk(backing) }
        return Int32(littleEndian: value)
    }

    /// How long a read waits, by default, for the bytes it read to stay the same: longer
    /// than the pauses of a writer that lands a frame in pieces (a C# stream write lands
    /// 64 KiB pieces; 2 ms pauses were measured under load).
    public static let defaultSettle: Duration = .milliseconds(50)

    /// Reads what has no checksum as well as it can be read: `range()` says which bytes
    /// (it reads the payload's own length fields through ``int32(at:)``, validates them
    /// and may throw), `consume` reads them from the view it is given (through ``copy(_:)``,
    /// ``sha256(_:)`` or a `write` to a file: guarded reads), and the result is kept only
    /// if, `settle` later, the range is the same and its bytes hash the same as before
    /// `consume` began. A writer moving during that window is caught and the read starts
    /// over; a writer that paused for longer than `settle` in the middle of a frame
    /// cannot be told from a finished one (the layout has no checksum).
    ///
    /// What `range` or `consume` throws counts only when it is thrown again a settling
    /// time later (bytes caught in the middle of a write may not parse).
    ///
    /// Against a writer that lands distinct frames more often than once per `settle`,
    /// every attempt sees it moving, and the read ends busy after about
    /// `attempts × settle` (5 s by default).
    ///
    /// - Returns: the value and the XXH3-64 of the bytes, or
    ///   ``SharedMemoryError/busy`` when `attempts` reads in a row saw a writer moving,
    ///   ``SharedMemoryError/shrunk(_:)`` when the file shrank.
    public func settledRead<T, E: Error>(settle: Duration = ArticleSegment.defaultSettle, attempts: Int = 100,
                                         range: () throws(E) -> Range<Int>,
                                         consume: (UnsafeRawBufferPointer) throws(E) -> T) throws(E) -> Result<(value: T, checksum: UInt64), SharedMemoryError> {
        // What `range` or `consume` threw on the attempt before (bytes caught mid-write
        // may not parse): thrown only when it happens twice in a row, a settling time apart.
        var refusedBefore = false
        for attempt in 0 ..< attempts {
            let bytes: Range<Int>
            let value: T
            let before: UInt64
            do throws(E) {
                bytes = try range()
                precondition(bytes.lowerBound >= 0 && bytes.upperBound <= capacity)
                let view = UnsafeRawBufferPointer(start: region.base + bytes.lowerBound, count: bytes.count)
                do throws(SharedMemoryError) { before = try Guarded.xxh3(view, backing: backing) } catch { return .failure(error) }
                value = try consume(view)
            } catch {
                if refusedBefore { throw error }
                refusedBefore = true
                CurrentProcess.sleep(settle)
                continue
            }
            refusedBefore = false
            let view = UnsafeRawBufferPointer(start: region.base + bytes.lowerBound, count: bytes.count)
            if attempt == 0 && EnvironmentSwitches.stopBetweenReads { EnvironmentSwitches.stopSelf() }
            CurrentProcess.sleep(settle)
            guard let again = try? range() else { continue }
            do throws(SharedMemoryError) {
                if again == bytes, try Guarded.xxh3(view, backing: backing) == before { return .success((value, before)) }
            } catch {
                return .failure(error)
            }
            // A writer is in the middle of a write: let it finish.
            Sys.backOff(attempt: attempt)
        }
        return .failure(.busy)
    }

    /// A private copy of `view` (bytes of this mapping), guarded.
    public func copy(_ view: UnsafeRawBufferPointer) throws(SharedMemoryError) -> [UInt8] {
        try Guarded.copy(view, backing: backing)
    }

    /// The SHA-256 of `view` (bytes of this mapping), as 64 lowercase hex digits, guarded.
    public func sha256(_ view: UnsafeRawBufferPointer) throws(SharedMemoryError) -> String {
        try Guarded.sha256(view, backing: backing)
    }

    /// XXH3-64 of the whole mapping, read in place (not stable: a writer may be moving);
    /// watchers compare it between looks to notice a write, the layout having no sequence.
    public func fingerprint() throws(SharedMemoryError) -> UInt64 {
        var hash: UInt64 = 0
        if catomics_guarded_xxh3(region.base, capacity, &hash) != 0 { throw .shrunk(backing) }
        return hash
    }

    /// How often ``waitForChange(from:timeout:)`` looks.
    public static let pollInterval: Duration = .milliseconds(50)

    /// Polls ``fingerprint()`` until it differs from `previous`, at most `timeout`; the
    /// new fingerprint, or nil on timeout (or if the mapping's file shrank). The layout
    /// has no futex word, and writes through a mapping raise no inotify event: looking
    /// again is the only way to notice a write.
    public func waitForChange(from previous: UInt64, timeout: Duration) -> UInt64? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while true {
            guard let now = try? fingerprint() else { return nil }
            if now != previous { return now }
            let left = clock.now.duration(to: deadline)
            if left <= .zero { return nil }
            Sys.nap(milliseconds: Int(min(left, Self.pollInterval).components.attoseconds / 1_000_000_000_000_000
                                      + min(left, Self.pollInterval).components.seconds * 1000) + 1)
        }
    }

    /// Whether the object this mapping belongs to was removed since it was opened.
    public var isRemoved: Bool {
        guard let st = try? fd.status() else { return true }
        return st.st_nlink == 0
    }
}
