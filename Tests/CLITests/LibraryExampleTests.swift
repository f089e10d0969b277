import Testing
import TestSupport

/// docs/library.md's example is the program the package builds, and it runs as the page says.
@Suite struct LibraryExampleTests {
    @Test func theDocumentedExampleIsTheBuiltOneAndRunsAsShown() throws {
        let source = String(decoding: try #require(Fixtures.read(Fixtures.packageRoot + "/Examples/LibraryExample/main.swift")), as: UTF8.self)
        let page = String(decoding: try #require(Fixtures.read(Fixtures.packageRoot + "/docs/library.md")), as: UTF8.self)
        #expect(page.contains("```swift\n" + source + "```\n"), "docs/library.md does not show Examples/LibraryExample/main.swift as it is")
        let run = Spawn.run(Fixtures.executable("blob-library-example"), [Fixtures.packageRoot + "/Assets/sunset.png"])
        #expect(run.status == 0, "\(run.err)")
        let expected = """
            published sequence 1: 1199 bytes
            received 1199 bytes, sha256 matches: true, checksum verified (XXH3-64)
            sequence 2 landed
            verified in place: sequence 2, 37 bytes
            loaned and committed sequence 3: [1, 2, 3, 4]

            """
        #expect(run.out == expected)
        #expect(page.contains("```\n" + expected + "```"), "the page's output is not what the program prints")
    }
}
