import BlobCodec
import SharedMemory
import SharedRecords

/// A TestData record as sent or received.
public struct TestDataValue: Equatable, Sendable {
    /// The publish number.
    public var sequence: UInt64
    /// The seed's `ToString` line: `Id=100,Age=20,Scores=60,...`.
    public var text: String
}

/// Publishing and reading TestData records in the blob segment (tagged `BlobKind.testData`).
public enum RecordTransfer {
    /// The seed's scores, 60 to 69.
    public static let sampleScores = TestData.sampleScores

    /// Publishes a TestData record, creating the segment if needed.
    public static func publish(id: Int32 = 100, age: Int32 = 20, scores: [Int32] = TestData.sampleScores,
                               to backing: SegmentBacking, format: SegmentFormat = .blob,
                               capacity: Int? = nil) throws(TransferError) -> TestDataValue {
        let record: Record
        do throws(RecordError) { record = try TestData.make(id: id, age: age, scores: scores) } catch {
            throw .invalidRecord(error.description)
        }
        return try format.operations.publishRecord(record, to: backing, capacity: capacity)
    }

    /// ``publish(id:age:scores:to:format:capacity:)`` in our layout (``BlobLayout``).
    static func publishBlob(_ record: Record, to backing: SegmentBacking) throws(TransferError) -> TestDataValue {
        let segment = try Segments.open(backing, mode: .createOrOpen)
        do throws(SharedMemoryError) {
            let receipt = try segment.publish(kind: .testData, parts: [record.bytes])
            return TestDataValue(sequence: receipt.sequence, text: TestData.describe(record))
        } catch {
            throw .segment(error)
        }
    }

    /// Reads the latest blob, which must be a TestData record.
    public static func receive(from backing: SegmentBacking, format: SegmentFormat = .blob) throws(TransferError) -> TestDataValue {
        try format.operations.receiveRecord(from: backing)
    }

    /// ``receive(from:format:)`` in our layout (``BlobLayout``).
    static func receiveBlob(from backing: SegmentBacking) throws(TransferError) -> TestDataValue {
        let segment = try Segments.open(backing, mode: .openExisting)
        let viewed: VerifiedView<Result<TestDataValue, TransferError>>?
        do throws(SharedMemoryError) {
            viewed = try segment.withVerifiedView { metadata, payload in
                Result { () throws(TransferError) in
                    let bytes = try Receiver.guarded { () throws(SharedMemoryError) in try segment.copy(payload) }
                    return try withBytes(bytes) { (raw) throws(TransferError) in try decode(metadata, raw) }
                }
            }
        } catch {
            throw .segment(error)
        }
        guard let viewed else { throw .nothingPublished(backing, hint: "put-struct") }
        return try viewed.result.get()
    }

    /// Decodes a verified payload as TestData.
    public static func decode(_ metadata: BlobMetadata, _ payload: UnsafeRawBufferPointer) throws(TransferError) -> TestDataValue {
        guard metadata.kind == .testData else { throw .notATestDataRecord(found: metadata.kind) }
        guard payload.count == TestData.layout.size else {
            throw .recordSize(actual: payload.count, expected: TestData.layout.size)
        }
        let record = Record(local: TestData.layout)
        record.base.copyMemory(from: payload.baseAddress!, byteCount: payload.count)
        return TestDataValue(sequence: metadata.sequence, text: TestData.describe(record))
    }
}

/// The record layouts the commands know by name.
public enum RecordCatalog {
    /// Their names.
    public static var names: [String] { TestData.known.map(\.name) }

    /// A layout's summary line and one line per field (offset, C type, name).
    public static func describe(_ name: String) throws(TransferError) -> [String] {
        let layout = try find(name)
        var lines = ["\(layout.name): \(layout.size) bytes, packed"]
        for f in layout.fields {
            let type = f.isArray ? "\(f.cType)[\(f.count)]" : f.cType
            lines.append("  \(leftPadded(String(layout.offset(of: f.name)), 5))  \(padded(type, 14)) \(f.name)")
        }
        return lines
    }

    /// A layout's C header (`#pragma pack(1)` typedef with offset static asserts).
    public static func cHeader(_ name: String) throws(TransferError) -> String {
        CHeader.generate(try find(name))
    }

    private static func find(_ name: String) throws(TransferError) -> RecordLayout {
        guard let layout = TestData.known.first(where: { $0.name == name }) else {
            throw .unknownLayout(name, known: names)
        }
        return layout
    }

    private static func padded(_ s: String, _ n: Int) -> String { s.count >= n ? s : s + String(repeating: " ", count: n - s.count) }
    private static func leftPadded(_ s: String, _ n: Int) -> String { s.count >= n ? s : String(repeating: " ", count: n - s.count) + s }
}
