import ArgumentParser
import BlobTransfer

/// `blob-reader info`: the header and the latest blob's metadata, without copying content.
public struct InfoCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the segment header and the latest blob's metadata.")

    @OptionGroup var segment: SegmentOptions
    @Flag(help: "Print JSON.") var json = false

    public init() {}

    public func run() throws {
        let report = try SegmentReport.of(try segment.backing(), format: segment.layout)
        Output.line(json ? report.json() : report.text())
    }
}
