import ArgumentParser

/// Processes the tests start: not a product, not installed, not documented for users.
struct BlobTestHelper: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "blob-test-helper",
        abstract: "Helper processes for SharedBlob's tests.",
        subcommands: [StressWriter.self, HoldMutex.self])
}

BlobTestHelper.main()
