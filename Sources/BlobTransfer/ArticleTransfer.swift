import BlobCodec
import Hashing
import SharedMemory
import SharedRecords
import Synchronization

/// How a segment's bytes are laid out.
public enum SegmentFormat: String, CaseIterable, Sendable {
    /// Ours (`blob_segment.h`): header, two slots, checksum, sequence, futex.
    case blob
    /// The source article's: exactly the capacity, the ImageData frame (or the 48-byte
    /// TestData record) at offset 0 and nothing else (`ArticleSegment`).
    case article
}

/// The services over the article's layout (`ArticleSegment`), so that its C# programs
/// and ours read each other's data. The same calls as ``Publisher``, ``Receiver`` and
/// ``RecordTransfer`` (which forward here for ``SegmentFormat/article``); what differs:
///
/// - there is no sequence: results carry sequence 0, and watching compares the
///   mapping's fingerprint between looks (``watch(_:isCancelled:onChange:)``);
/// - there is no checksum: nothing is "verified". A frame is kept only when its bytes
///   stayed the same for ``settle`` after they were read (a writer landing it in pieces
///   with shorter pauses is caught and waited out), lengths are checked against the
///   capacity, bytes after the frame (a longer previous frame's tail) are ignored; what
///   arrives says so (``Integrity/unverified(stableFor:)``);
/// - reads stream from the mapping: `get --out` and `info` keep no copy of the frame,
///   the apps and `get` to stdout keep one copy of the content;
/// - there is no kind tag: `get` reads a frame, `get-struct` a record, and the reader
///   app tells them apart by whether offset 0 holds a plausible frame
///   (``looksLikeFrame(path:)``).
public enum ArticleTransfer {
    /// The article's capacity (its "10 MB"): 10,485,760 bytes.
    public static let defaultCapacity = ArticleSegment.defaultCapacity

    private static let settleStorage = Mutex(ArticleSegment.defaultSettle)

    /// How long a read waits for the frame's bytes to stay the same before it takes them
    /// (default 50 ms; `--settle MS`). The command line sets it once, before reading.
    public static var settle: Duration {
        get { settleStorage.withLock { $0 } }
        set { settleStorage.withLock { $0 = newValue } }
    }

    /// The flags that name the layout in a suggested command.
    static let flag = " --layout article"

    /// Publishes `file` as an ImageData frame at offset 0. The file is read into memory
    /// first (at most the capacity), so the write itself is one copy: the window in which
    /// a reader could see a half-written frame is as short as it can be without a lock
    /// the article's programs would honour.
    public static func publish(file: String, to backing: SegmentBacking, capacity: Int?,
                               lockTimeout: Duration = BlobSegment.defaultLockTimeout) throws(TransferError) -> PublishedFile {
        let input = try Files.openInput(file)
        defer { input.close() }
        let plan = FramePlan(file: file, input: input)
        if !Segments.exists(backing), plan.frameLength > capacity ?? defaultCapacity {
            throw plan.tooLarge(capacity ?? defaultCapacity, backing: backing, segmentExists: false)
        }
        let segment = try openForWriting(backing, capacity: capacity)
        if !plan.fits(segment.capacity) { throw plan.tooLarge(segment.capacity, backing: backing, segmentExists: true) }
        let content = try input.readBytes(max: input.size)
        guard content.count == input.size else {
            throw .segment(.incompletePayload(expected: input.size, written: content.count))
        }
        try store([plan.prefix, content], to: segment, lockTimeout: lockTimeout)
        return PublishedFile(sequence: 0, path: plan.label, contentLength: content.count, sha256: SHA256.hex(content))
    }

    /// Writes the 48-byte TestData record at offset 0 (the rest keeps what it held, as
    /// with the article's writer).
    public static func publishRecord(_ record: Record, to backing: SegmentBacking, capacity: Int?) throws(TransferError) -> TestDataValue {
        let segment = try openForWriting(backing, capacity: capacity)
        try store([Array(record.bytes)], to: segment, lockTimeout: BlobSegment.defaultLockTimeout)
        return TestDataValue(sequence: 0, text: TestData.describe(record))
    }

    /// Reads the ImageData frame at offset 0 (one copy of the content): lengths checked
    /// against the capacity, taken once it stayed the same for ``settle``, the tail after
    /// the frame ignored.
    public static func receive(from backing: SegmentBacking) throws(TransferError) -> ReceivedFile {
        let segment = try openExisting(backing)
        return try asFrame(backing) { () throws(TransferError) in try receivedFile(segment) }
    }

    /// Streams the frame's content from the mapping to `consume` (which may run again, and
    /// must then replace what it produced), hashing it in place: nothing is copied.
    static func deliver(from backing: SegmentBacking,
                        to consume: (UnsafeRawBufferPointer) -> Result<Void, TransferError>) throws(TransferError) -> DeliveredFile {
        let segment = try openExisting(backing)
        return try asFrame(backing) { () throws(TransferError) in
            guard let read = try settledFrame(segment, { (path, content) throws(TransferError) -> (String, String) in
                try consume(content).get()
                return (path, try Receiver.guarded { () throws(SharedMemoryError) in try segment.sha256(content) })
            }) else { throw .nothingPublished(backing, hint: "put FILE" + flag) }
            return DeliveredFile(metadata: metadata(kind: .imageData, length: read.length, checksum: read.checksum),
                                 path: read.value.0, contentLength: read.length - read.pathLength - BlobCodec.overhead,
                                 sha256: read.value.1, zeroCopy: true, integrity: .unverified(stableFor: settle))
        }
    }

    /// `body`, with a failure to find a frame at offset 0 said in this layout's words.
    private static func asFrame<T>(_ backing: SegmentBacking, _ body: () throws(TransferError) -> T) throws(TransferError) -> T {
        do throws(TransferError) {
            return try body()
        } catch {
            // Offset 0 is not a frame: say so in this layout's words (a record, perhaps).
            if case let .invalidFrame(e) = error { throw .notAnArticleFrame(e) }
            throw error
        }
    }

    /// The frame at offset 0 with its content copied, or `.nothingPublished`.
    static func receivedFile(_ segment: ArticleSegment) throws(TransferError) -> ReceivedFile {
        guard let read = try settledFrame(segment, { (path, content) throws(TransferError) -> (String, [UInt8]) in
            (path, try Receiver.guarded { () throws(SharedMemoryError) in try segment.copy(content) })
        }) else { throw .nothingPublished(segment.backing, hint: "put FILE" + flag) }
        let (path, content) = read.value
        return ReceivedFile(metadata: metadata(kind: .imageData, length: read.length, checksum: read.checksum),
                            path: path, content: content, sha256: SHA256.hex(content),
                            integrity: .unverified(stableFor: settle))
    }

    /// Reads the 48-byte TestData record at offset 0, twice until both reads agree.
    public static func receiveRecord(from backing: SegmentBacking) throws(TransferError) -> TestDataValue {
        return try record(in: openExisting(backing)).value
    }

    /// One read for the reader app: a frame if offset 0 holds a plausible one, else the
    /// TestData record; `.empty` for a zero-filled segment.
    public static func readForDisplay(from backing: SegmentBacking) throws(TransferError) -> Reception {
        if !Segments.exists(backing) { return .segmentMissing }
        return try reception(in: openExisting(backing))
    }

    /// What an open segment holds, read as ``readForDisplay(from:)`` reads it.
    static func reception(in segment: ArticleSegment) throws(TransferError) -> Reception {
        switch Result(catching: { () throws(TransferError) in try lengths(segment) }) {
        case .success(nil):
            return .empty
        case .success:
            do throws(TransferError) {
                let received = try receivedFile(segment)
                return .file(received, Receiver.compareWithDisk(received))
            } catch {
                // Not a frame after all (a record whose bytes look like lengths); a busy
                // writer or a shrunk file is said as it is, not shown as a record.
                if case .segment = error { throw error }
            }
        case .failure:
            break  // not a frame: the record's Id and Age are not plausible lengths
        }
        let (value, metadata) = try record(in: segment)
        return .record(value, metadata)
    }

    /// What `info` says of offset 0, read in place (no copy of the frame): a frame's
    /// label, lengths and XXH3, else the TestData record; nil for a zero-filled segment.
    static func summary(in segment: ArticleSegment) throws(TransferError) -> Summary? {
        switch Result(catching: { () throws(TransferError) in try lengths(segment) }) {
        case .success(nil):
            return nil
        case .success:
            do throws(TransferError) {
                if let read = try settledFrame(segment, { (path, _) throws(TransferError) in path }) {
                    return .frame(path: read.value, length: read.length,
                                  contentLength: read.length - read.pathLength - BlobCodec.overhead, checksum: read.checksum)
                }
                return nil
            } catch {
                if case .segment = error { throw error }
            }
        case .failure:
            break
        }
        let (value, metadata) = try record(in: segment)
        return .record(value, metadata)
    }

    /// What offset 0 holds, for `info`.
    enum Summary {
        case frame(path: String, length: Int, contentLength: Int, checksum: UInt64)
        case record(TestDataValue, BlobMetadata)
    }

    /// Calls `onChange` when the segment is first seen (or seen again after a removal)
    /// and each time its bytes change (`ArticleSegment.waitForChange(from:timeout:)`
    /// polls every 50 ms), until `isCancelled()`. The number passed counts the calls
    /// (1, 2, ...): the layout has no sequence of its own.
    public static func watch(_ backing: SegmentBacking, isCancelled: () -> Bool, onChange: (UInt64) -> Void) {
        var changes: UInt64 = 0
        var segment: ArticleSegment?
        var last: UInt64 = 0
        while !isCancelled() {
            guard let open = segment, !open.isRemoved else {
                segment = try? ArticleSegment.open(backing, mode: .openExisting, capacity: nil)
                if let opened = segment, let now = try? opened.fingerprint() {
                    // First sight (or a re-created segment): what it holds is news.
                    last = now
                    changes += 1
                    onChange(changes)
                } else {
                    segment = nil
                    _ = BlobSegment.waitForCreation(backing, timeout: SegmentWatcher.pollInterval)
                }
                continue
            }
            if let now = open.waitForChange(from: last, timeout: SegmentWatcher.pollInterval) {
                last = now
                changes += 1
                if !isCancelled() { onChange(changes) }
            }
        }
    }

    // MARK: internals

    static func openExisting(_ backing: SegmentBacking) throws(TransferError) -> ArticleSegment {
        do throws(SharedMemoryError) {
            return try ArticleSegment.open(backing, mode: .openExisting, capacity: nil)
        } catch {
            throw .segment(error)
        }
    }

    /// Opens an existing segment (refusing another size than `capacity`, if given) or
    /// creates one of `capacity` (default 10,485,760).
    static func openForWriting(_ backing: SegmentBacking, capacity: Int?) throws(TransferError) -> ArticleSegment {
        if Segments.exists(backing) {
            let segment = try openExisting(backing)
            if let capacity, segment.capacity != capacity {
                throw .capacityMismatch(backing, existing: segment.capacity, requested: capacity)
            }
            return segment
        }
        do throws(SharedMemoryError) {
            return try ArticleSegment.open(backing, mode: .createOrOpen, capacity: capacity ?? defaultCapacity)
        } catch {
            throw .segment(error)
        }
    }

    static func store(_ parts: [[UInt8]], to segment: ArticleSegment, lockTimeout: Duration) throws(TransferError) {
        // Nested so that every part's buffer stays valid for the one write.
        func go(_ i: Int, _ raws: [UnsafeRawBufferPointer]) throws(SharedMemoryError) {
            if i == parts.count { return try segment.write(raws, lockTimeout: lockTimeout) }
            try withBytes(parts[i]) { (raw) throws(SharedMemoryError) in try go(i + 1, raws + [raw]) }
        }
        do throws(SharedMemoryError) { try go(0, []) } catch { throw .segment(error) }
    }

    /// The frame's path and content lengths, validated against the capacity; nil when
    /// both are 0 (a zero-filled segment: nothing published).
    static func lengths(_ segment: ArticleSegment) throws(TransferError) -> (path: Int, content: Int)? {
        let capacity = segment.capacity
        guard capacity >= BlobCodec.overhead else {
            throw .invalidFrame(.truncated(field: .pathLength, offset: 0, needed: BlobCodec.overhead, available: capacity))
        }
        let path = try Receiver.guarded { () throws(SharedMemoryError) in try segment.int32(at: 0) }
        if path < 0 { throw .invalidFrame(.negativeLength(field: .pathLength, offset: 0, value: path)) }
        guard Int(path) <= capacity - BlobCodec.overhead else {
            throw .invalidFrame(.lengthBeyondEnd(field: .pathLength, offset: 0, length: Int(path),
                                                 available: capacity - BlobCodec.overhead))
        }
        let at = 4 + Int(path)
        let content = try Receiver.guarded { () throws(SharedMemoryError) in try segment.int32(at: at) }
        if content < 0 { throw .invalidFrame(.negativeLength(field: .contentLength, offset: at, value: content)) }
        let room = capacity - BlobCodec.overhead - Int(path)
        guard Int(content) <= room else {
            throw .invalidFrame(.lengthBeyondEnd(field: .contentLength, offset: at, length: Int(content), available: room))
        }
        return path == 0 && content == 0 ? nil : (Int(path), Int(content))
    }

    /// Reads the frame at offset 0 settled (`ArticleSegment.settledRead(settle:attempts:range:consume:)`):
    /// `consume` gets the decoded path label and the content where it lies; nil when
    /// nothing was published (both lengths 0). A label that is not UTF-8 or has control
    /// bytes is not a frame (``TransferError/notAnArticleFrame(_:)``).
    static func settledFrame<T>(_ segment: ArticleSegment,
                                _ consume: (String, UnsafeRawBufferPointer) throws(TransferError) -> T) throws(TransferError)
        -> (value: T, checksum: UInt64, length: Int, pathLength: Int)? {
        var seen: (path: Int, content: Int)?
        let result = try segment.settledRead(settle: settle, range: { () throws(TransferError) -> Range<Int> in
            seen = try lengths(segment)
            guard let seen else { return 0 ..< 0 }
            return 0 ..< seen.path + seen.content + BlobCodec.overhead
        }, consume: { (frame) throws(TransferError) -> T? in
            guard let (p, c) = seen else { return nil }
            let pathBytes = try Receiver.guarded { () throws(SharedMemoryError) in
                try segment.copy(UnsafeRawBufferPointer(rebasing: frame[4 ..< 4 + p]))
            }
            guard let path = String(validating: pathBytes, as: UTF8.self) else { throw .invalidFrame(.invalidUTF8(offset: 4)) }
            guard looksLikeFrame(path: path) else { throw .notAnArticleFrame(nil) }
            return try consume(path, UnsafeRawBufferPointer(rebasing: frame[8 + p ..< 8 + p + c]))
        })
        let (value, checksum) = try result.mapError(TransferError.segment).get()
        guard let value, let seen else { return nil }
        return (value, checksum, seen.path + seen.content + BlobCodec.overhead, seen.path)
    }

    static func record(in segment: ArticleSegment) throws(TransferError) -> (value: TestDataValue, metadata: BlobMetadata) {
        let size = TestData.layout.size
        guard segment.capacity >= size else { throw .recordSize(actual: segment.capacity, expected: size) }
        let read: Result<(value: [UInt8], checksum: UInt64), SharedMemoryError>
        do throws(SharedMemoryError) {
            read = try segment.settledRead(settle: settle, range: { () throws(SharedMemoryError) -> Range<Int> in 0 ..< size },
                                          consume: { (view) throws(SharedMemoryError) -> [UInt8] in
                try segment.copy(view)
            })
        } catch {
            throw .segment(error)
        }
        let (bytes, checksum) = try read.mapError(TransferError.segment).get()
        return try withBytes(bytes) { (raw) throws(TransferError) in
            let metadata = metadata(kind: .testData, length: size, checksum: checksum)
            return (try RecordTransfer.decode(metadata, raw), metadata)
        }
    }

    /// What the article's layout can say of a payload: its kind (as read), length and
    /// XXH3 (of the bytes as read, not a checksum anyone wrote); no sequence (0), time (0)
    /// or writer.
    static func metadata(kind: BlobKind, length: Int, checksum: UInt64) -> BlobMetadata {
        BlobMetadata(sequence: 0, kind: kind, length: length, checksum: checksum,
                     publishTimeNanoseconds: 0, writerPID: 0)
    }

    /// Whether a decoded path label reads as a path: not empty, no control characters.
    /// A TestData record at offset 0 decodes as a "frame" whose path is its Age and
    /// Scores' bytes (NULs among them); this tells the two apart.
    public static func looksLikeFrame(path: String) -> Bool {
        !path.isEmpty && !path.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }
    }
}

extension ArticleTransfer {
    /// Blocks until the segment's bytes change (or it is created), at most `timeout`
    /// (nil: for ever), for `get --wait`.
    ///
    /// - Throws: `SharedMemoryError.timedOut(after:)` (sequence 0) on timeout.
    public static func waitForChange(_ backing: SegmentBacking, timeout: Duration?) throws(TransferError) {
        let clock = ContinuousClock()
        let deadline = timeout.map { clock.now + $0 }
        var calls = 0
        // The first call reports what is there now (if anything): the second is the change.
        let existed = Segments.exists(backing)
        if existed { _ = try openExisting(backing) }  // an untrusted or foreign object fails now, not never
        watch(backing, isCancelled: { calls >= (existed ? 2 : 1) || deadline.map { clock.now >= $0 } ?? false }) { _ in
            calls += 1
        }
        if calls < (existed ? 2 : 1) { throw .segment(.timedOut(after: 0)) }
    }
}
