import BlobCLI
import BlobTransfer
import ImagePreview
import Testing
import TestSupport

@Suite struct ExitStatusTests {
    /// The command reference's exit-status table (docs/commands.md) is exactly the code's table.
    @Test func readmeTableIsTheCodesTable() throws {
        let readme = String(decoding: try #require(Fixtures.read(Fixtures.packageRoot + "/docs/commands.md")), as: UTF8.self)
        let lines = readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let start = try #require(lines.firstIndex(of: "| status | meaning |"), "docs/commands.md has no exit-status table")
        let table = lines[start...].prefix { $0.hasPrefix("|") }.joined(separator: "\n")
        #expect(table == BlobCLI.ExitStatus.markdownTable)
    }

    /// One function decides every status; each kind of error lands where the table says.
    @Test(arguments: [
        (TransferError.emptyPath(what: "file") as any Error, BlobCLI.ExitStatus.usage),
        (TransferError.cannotRead(path: "/x", errno: .noSuchFileOrDirectory), .io),
        (TransferError.isDirectory(path: "/"), .io),
        (TransferError.notRegularFile(path: "/dev/null"), .io),
        (TransferError.cannotWrite(path: "/x", errno: .permissionDenied), .io),
        (TransferError.frameTooLarge(length: 11, capacity: 10), .tooLarge),
        (TransferError.segment(.notFound(.file("/x"))), .missing),
        (TransferError.segment(.foreign(.file("/x"), reason: "r")), .corrupt),
        (TransferError.segment(.checksumMismatch(sequence: 1, expected: 1, actual: 2)), .corrupt),
        (TransferError.segment(.invalidName("a/b", rule: "r")), .usage),
        (TransferError.segment(.noSpace(.file("/x"), needed: 1)), .io),
        (TransferError.segment(.system(call: "mmap", errno: .noMemory, backing: nil)), .io),
        (TransferError.segment(.timedOut(after: 1)), .timedOut),
        (TransferError.segment(.busy), .software),
        (TransferError.invalidFrame(.invalidUTF8(offset: 4)), .corrupt),
        (TransferError.nothingPublished(.file("/x"), hint: "h"), .missing),
        (TransferError.notAFile(found: .testData), .corrupt),
        (TransferError.notATestDataRecord(found: .imageData), .corrupt),
        (TransferError.invalidRecord("r"), .usage),
        (TransferError.unknownLayout("X", known: []), .usage),
        (TransferError.untrustedOutput(path: "/x", reason: "r"), .untrusted),
        (TransferError.outputChanged(path: "/x"), .untrusted),
        (TransferError.noReader(path: "/x"), .io),
        (TransferError.outputStalled(path: "/x", seconds: 1), .timedOut),
        (CommandError.usage("u"), .usage),
        (CommandError.needsTerminal(app: "a", hint: "h"), .usage),
        (CommandError.unknownTerminal("t"), .usage),
        (CommandError.noPreview(path: "/x", kind: "text", bytes: 1), .unavailable),
        (ImageError.tooManyPixels(width: 2, height: 2, limit: 1), .corrupt),
    ])
    func everyErrorHasItsStatus(error: any Error, expected: BlobCLI.ExitStatus) throws {
        let (status, message) = try #require(Failure.classify(error))
        #expect(status == expected)
        #expect(!message.isEmpty && !message.contains("\n"))
    }

    /// ArgumentParser's own errors are left to the parser's reporting (status 64).
    @Test func parserErrorsAreNotClassifiedHere() {
        struct Unknown: Error {}
        #expect(Failure.classify(Unknown()) == nil)
    }
}
