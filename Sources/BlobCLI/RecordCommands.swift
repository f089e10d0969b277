import ArgumentParser
import BlobTransfer

/// `blob-writer layout NAME [--c-header]`: a record layout's fields and offsets, or its C header.
public struct LayoutCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "layout", abstract: "Show a record layout, or print its C header.")

    @Argument(help: "PlaybackStateData, ControllerData or TestData.") var name: String
    @Flag(help: "Print the C header (#pragma pack(1) typedef with offset static asserts).") var cHeader = false

    public init() {}

    public func run() throws {
        if cHeader {
            Output.raw(try RecordCatalog.cHeader(name))
        } else {
            try RecordCatalog.describe(name).forEach(Output.line)
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
        let values = scores.split(separator: ",", omittingEmptySubsequences: false)
            .map { Int32($0.filter { $0 != " " }) }
        guard values.count == 10, values.allSatisfy({ $0 != nil }) else {
            throw CommandError.usage("--scores needs exactly 10 comma-separated 32-bit integers")
        }
        let sent = try RecordTransfer.publish(id: id, age: age, scores: values.map { $0! }, to: try segment.backing(),
                                            format: segment.layout)
        Output.line("published \(segment.layout.operations.landed(sequence: sent.sequence)): TestData \(sent.text)")
    }
}

/// `blob-reader get-struct`: prints the latest TestData record as the seed's ToString does.
public struct GetStructCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "get-struct", abstract: "Print the latest TestData record (Id=..,Age=..,Scores=..).")

    @OptionGroup var segment: SegmentOptions

    public init() {}

    public func run() throws {
        Output.line(try RecordTransfer.receive(from: try segment.backing(), format: segment.layout).text)
    }
}
