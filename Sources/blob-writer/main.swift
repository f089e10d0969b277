import ArgumentParser
import BlobCLI

/// `blob-writer`: the file picker, and the commands that publish from scripts.
struct BlobWriterCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-writer",
        abstract: "Publish a file (an image, or anything) into a named shared-memory segment.",
        version: SharedBlobVersion.current,
        subcommands: [BrowseCommand.self, PutCommand.self, PutStructCommand.self, RemoveCommand.self, LayoutCommand.self],
        defaultSubcommand: BrowseCommand.self)
}

runMain(BlobWriterCommand.self)
