import ArgumentParser
import SharedMemory
import SharedRecords

/// `blob-writer layout NAME [--c-header]`: a record layout's fields and offsets, or its C header.
public struct LayoutCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "layout", abstract: "Show a record layout, or print its C header.")

    @Argument(help: "PlaybackStateData, ControllerData or TestData.") var name: String
    @Flag(help: "Print the C header (#pragma pack(1) typedef with offset static asserts).") var cHeader = false

    public init() {}

    public func run() throws {
        try runReporting { () throws(CLIError) in
            guard let layout = TestData.known.first(where: { $0.name == name }) else {
                let names = TestData.known.map(\.name).joined(separator: ", ")
                throw CLIError("no record layout named '\(TerminalText.escape(name))' (known: \(names))", exit: .usage)
            }
            if cHeader {
                Output.raw(CHeader.generate(layout))
                return
            }
            Output.line("\(layout.name): \(layout.size) bytes, packed")
            for f in layout.fields {
                let type = f.isArray ? "\(f.cType)[\(f.count)]" : f.cType
                Output.line("  \(String(layout.offset(of: f.name)).leftPadded(5))  \(type.padded(14)) \(f.name)")
            }
        }
    }
}

/// `blob-writer put-struct`: publishes the seed's TestData record into the blob segment.
public struct PutStructCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "put-struct", abstract: "Publish a TestData record (Id, Age, Scores[10]).")

    @OptionGroup var segment: SegmentOptions
    @Option var id: Int32 = 100
    @Option var age: Int32 = 20
    @Option(help: "Ten comma-separated scores.") var scores = "60,61,62,63,64,65,66,67,68,69"

    public init() {}

    public func run() throws {
        try runReporting { () throws(CLIError) in
            let values = scores.split(separator: ",", omittingEmptySubsequences: false)
                .map { Int32($0.filter { $0 != " " }) }
            guard values.count == 10, values.allSatisfy({ $0 != nil }) else {
                throw CLIError("--scores needs exactly 10 comma-separated 32-bit integers", exit: .usage)
            }
            let receipt = try StructTransfer.publish(id: id, age: age, scores: values.map { $0! },
                                                     to: try segment.backing())
            Output.line("published sequence \(receipt.sequence): TestData \(receipt.text)")
        }
    }
}

/// `blob-reader get-struct`: prints the latest TestData record as the seed's ToString does.
public struct GetStructCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "get-struct", abstract: "Print the latest TestData record (Id=..,Age=..,Scores=..).")

    @OptionGroup var segment: SegmentOptions

    public init() {}

    public func run() throws {
        try runReporting { () throws(CLIError) in
            Output.line(try StructTransfer.receive(from: try segment.backing()).text)
        }
    }
}

/// Publishing and reading TestData records in the blob segment (kind 2).
public enum StructTransfer {
    /// A published or received record.
    public struct Result: Sendable {
        /// The publish number.
        public var sequence: UInt64
        /// The seed's ToString text.
        public var text: String
    }

    /// Publishes a TestData record, creating the segment if needed.
    public static func publish(id: Int32 = 100, age: Int32 = 20, scores: [Int32] = TestData.sampleScores,
                               to backing: SegmentBacking) throws(CLIError) -> Result {
        let record: Record
        do throws(RecordError) { record = try TestData.make(id: id, age: age, scores: scores) } catch {
            throw CLIError(error.description, exit: .usage)
        }
        let seg = try openSegment(backing, mode: .createOrOpen)
        do throws(SharedMemoryError) {
            let receipt = try seg.publish(kind: .testData, parts: [record.bytes])
            return Result(sequence: receipt.sequence, text: TestData.describe(record))
        } catch {
            throw CLIError(error)
        }
    }

    /// Reads the latest blob, which must be a TestData record.
    public static func receive(from backing: SegmentBacking) throws(CLIError) -> Result {
        guard let (meta, buffer) = try Receiver.latest(from: backing) else {
            throw CLIError("\(backing) holds no blob yet (run blob-writer put-struct)", exit: .missingSegment)
        }
        return try decode(meta, buffer.bytes)
    }

    /// Decodes a verified payload as TestData.
    public static func decode(_ meta: BlobMetadata, _ payload: UnsafeRawBufferPointer) throws(CLIError) -> Result {
        guard meta.kind == .testData else {
            throw CLIError("the latest blob is \(meta.kind == .imageData ? "a file" : "a \(meta.kind) record"), not a TestData record (use get)", exit: .corrupt)
        }
        guard payload.count == TestData.layout.size else {
            throw CLIError("the TestData record is \(payload.count) bytes, expected \(TestData.layout.size)", exit: .corrupt)
        }
        let record = Record(local: TestData.layout)
        record.base.copyMemory(from: payload.baseAddress!, byteCount: payload.count)
        return Result(sequence: meta.sequence, text: TestData.describe(record))
    }
}

extension String {
    func padded(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: " ", count: n - count) + self }
}
