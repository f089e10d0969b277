import ArgumentParser
import BlobTransfer

/// Processes the tests start: not a product, not installed, not documented for users.
struct BlobTestHelper: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-test-helper",
        abstract: "Helper processes for SharedBlob's tests.",
        subcommands: [StressWriter.self, BigWriter.self, SlowArticleWriter.self, HoldMutex.self, HoldLoan.self, DefaultSaveDirectory.self])
}

BlobTestHelper.main()

/// Prints where the reader app would save by default (the tests vary the environment).
struct DefaultSaveDirectory: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "default-save-directory")
    func run() throws { print(Files.defaultSaveDirectory()) }
}
