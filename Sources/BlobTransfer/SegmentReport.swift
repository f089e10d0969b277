import SafeText
import SharedMemory

/// The ordered fields `info` shows for a segment, as text or JSON: the header, the
/// latest blob's metadata and, for a file, its path label and content length read
/// from the first bytes of the payload (nothing else is copied).
public struct SegmentReport: Sendable {
    /// A field's value.
    public enum Value: Equatable, Sendable {
        case string(String)
        case int(Int64)
        case uint(UInt64)
        case bool(Bool)
        case null
    }

    /// Field names and values, in order.
    public private(set) var fields: [(String, Value)] = []

    /// The report for the segment at `backing`: header, latest metadata and, for a
    /// file, the label read in place from the payload's first bytes (nothing copied,
    /// nothing hashed).
    public static func of(_ backing: SegmentBacking, format: SegmentFormat = .blob) throws(TransferError) -> SegmentReport {
        try format.operations.report(backing)
    }

    /// ``of(_:format:)`` in our layout (``BlobLayout``).
    static func ofBlob(_ backing: SegmentBacking) throws(TransferError) -> SegmentReport {
        let segment = try Segments.open(backing, mode: .openExisting)
        do throws(SharedMemoryError) {
            var info = try segment.info()
            let peeked = try segment.peekLatest(maxBytes: BlobSegment.peekLength) { metadata, view in
                metadata.kind == .imageData ? label(in: view) : nil
            }
            info.latest = peeked?.0
            return SegmentReport(info, label: peeked?.1)
        } catch {
            throw .segment(error)
        }
    }

    /// The report for an article-layout segment: its size and what offset 0 holds
    /// (read as the reader app reads it: a frame, a TestData record, or nothing).
    static func ofArticle(_ backing: SegmentBacking) throws(TransferError) -> SegmentReport {
        let segment = try ArticleTransfer.openExisting(backing)
        var report = SegmentReport()
        report.location(backing)
        report.fields.append(("layout", .string("article")))
        report.fields.append(("capacity", .int(Int64(segment.capacity))))
        report.fields.append(("total_size", .int(Int64(segment.capacity))))
        switch try ArticleTransfer.summary(in: segment) {
        case let .frame(path, length, contentLength, checksum)?:
            report.fields.append(("kind", .string(BlobKind.imageData.name)))
            report.fields.append(("length", .int(Int64(length))))
            report.fields.append(("checksum_xxh3", .string(TerminalText.hex16(checksum))))
            report.fields.append(("path", .string(path)))
            report.fields.append(("content_length", .int(Int64(contentLength))))
        case let .record(value, metadata)?:
            report.fields.append(("kind", .string(BlobKind.testData.name)))
            report.fields.append(("length", .int(Int64(metadata.length))))
            report.fields.append(("checksum_xxh3", .string(TerminalText.hex16(metadata.checksum))))
            report.fields.append(("record", .string(value.text)))
        case nil:
            report.fields.append(("kind", .null))
        }
        // The layout has no checksum: the XXH3 above is of the bytes as read.
        report.fields.append(("verified", .bool(false)))
        report.fields.append(("stable_ms", .int(Int64(Integrity.unverified(stableFor: ArticleTransfer.settle).stableMilliseconds))))
        return report
    }

    private init() {}

    private mutating func location(_ backing: SegmentBacking) {
        switch backing {
        case let .sharedMemory(name):
            fields.append(("segment", .string(name.rawValue)))
            fields.append(("location", .string("/dev/shm/" + name.rawValue)))
        case let .file(path):
            fields.append(("segment", .null))
            fields.append(("location", .string(path)))
        }
    }

    /// Builds the report from what the engine says and the label, if any.
    init(_ info: SegmentInfo, label: (path: String, contentLength: Int32)?) {
        location(info.backing)
        fields.append(("layout", .string(SegmentFormat.blob.rawValue)))
        fields.append(("layout_version", .uint(UInt64(info.version))))
        fields.append(("header_size", .int(Int64(info.headerSize))))
        fields.append(("capacity", .int(Int64(info.capacity))))
        fields.append(("total_size", .int(Int64(info.totalSize))))
        fields.append(("sequence", .uint(info.publishedSequence)))
        guard let latest = info.latest else {
            fields.append(("kind", .null))
            return
        }
        fields.append(("kind", .string(latest.kind.name)))
        fields.append(("length", .int(Int64(latest.length))))
        fields.append(("checksum_xxh3", .string(TerminalText.hex16(latest.checksum))))
        fields.append(("published_at", .string(Timestamp.iso8601(nanoseconds: latest.publishTimeNanoseconds))))
        fields.append(("writer_pid", .int(Int64(latest.writerPID))))
        if let (path, contentLength) = label {
            fields.append(("path", .string(path)))
            fields.append(("content_length", .int(Int64(contentLength))))
        }
    }

    /// The path label and content length from the first bytes of a frame, which are
    /// cut short of the content (so the codec's whole-frame check does not apply).
    static func label(in raw: UnsafeRawBufferPointer) -> (path: String, contentLength: Int32)? {
        guard raw.count >= 4 else { return nil }
        let pathLength = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: Int32.self)))
        guard pathLength >= 0, pathLength + 8 <= raw.count else { return nil }
        let path = String(decoding: UnsafeRawBufferPointer(rebasing: raw[4 ..< 4 + pathLength]), as: UTF8.self)
        return (path, Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 + pathLength, as: Int32.self)))
    }

    /// `key: value` lines, untrusted text escaped, null as `-`.
    public func text() -> String {
        rendered(string: TerminalText.escape, null: "-").map { "\($0): \($1)" }.joined(separator: "\n")
    }

    /// One JSON object on one line.
    public func json() -> String {
        "{" + rendered(string: JSONText.quoted, null: "null").map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}"
    }

    /// Each field's value as text: numbers as they are, strings through `string`.
    private func rendered(string: (String) -> String, null: String) -> [(String, String)] {
        fields.map { key, value in
            switch value {
            case let .string(s): return (key, string(s))
            case let .int(i): return (key, String(i))
            case let .uint(u): return (key, String(u))
            case let .bool(b): return (key, b ? "true" : "false")
            case .null: return (key, null)
            }
        }
    }
}
