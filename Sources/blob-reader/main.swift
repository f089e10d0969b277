import ArgumentParser
import BlobCLI

/// `blob-reader`: the viewer, and the commands that read from scripts.
struct BlobReaderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-reader",
        abstract: "Read and verify the blob published in a shared-memory segment.",
        version: SharedBlobVersion.current,
        subcommands: [ViewCommand.self, GetCommand.self, GetStructCommand.self, InfoCommand.self, PreviewCommand.self, CompareCommand.self],
        defaultSubcommand: ViewCommand.self)
}

runMain(BlobReaderCommand.self)
