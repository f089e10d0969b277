import Glibc
import Testing
import TestSupport

/// `--graphics auto` inside tmux 3.3 (Debian's, built without sixel): characters, and no
/// escape junk — neither image data nor the terminal's answers to the queries reach the
/// screen or the shell.
@Suite(.serialized) struct GraphicsFallbackTests {
    static let reader = Fixtures.executable("blob-reader")
    static let image = Fixtures.packageRoot + "/Assets/sunset.png"

    func run(_ command: String, marker: String) throws -> (styled: String, plain: String) {
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.newShell("g", width: 100, height: 30, directory: "/tmp", environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        tmux.send("g", ["\(command); echo \(marker)", "Enter"])
        let (done, plain) = tmux.waitFor("g") { $0.contains("\n\(marker)") }
        try #require(done, "screen: \(plain)")
        let styled = tmux.run(["capture-pane", "-p", "-e", "-t", "g"]).out
        return (styled, plain)
    }

    /// What must never show: sixel, kitty or iTerm2 data, or echoed query answers.
    func expectNoJunk(_ styled: String, _ plain: String) {
        for junk in ["\u{1b}P", "\u{1b}_G", "1337;File", "[?1;2c", "[?62", "[6;", "Gi=31"] {
            #expect(!styled.contains(junk), "\(junk) on screen")
        }
        #expect(!plain.contains("^["), "escape echoed as text: \(plain)")
    }

    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available))
    func insideTmuxAutoUsesCharacters() throws {
        let (styled, plain) = try run("env -u NO_COLOR '\(Self.reader)' preview '\(Self.image)' --size 40x12 --info", marker: "END-1")
        #expect(plain.contains("output: blocks "), "\(plain)")
        #expect(plain.contains("inside tmux or screen (no image passthrough)"), "\(plain)")
        #expect(plain.contains("\u{2580}"), "no half blocks: \(plain)")
        expectNoJunk(styled, plain)
    }

    /// TERM=xterm without TMUX: the terminal (tmux) is asked, answers DA1 without sixel,
    /// and the 8-colour palette is used (SGR 30-37/40-47 only).
    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available))
    func termXtermGetsEightColourCharacters() throws {
        let (styled, plain) = try run("env -u NO_COLOR -u TMUX TERM=xterm '\(Self.reader)' preview '\(Self.image)' --size 40x12 --info",
                                      marker: "END-2")
        #expect(plain.contains("output: blocks 8 (TERM=xterm: 8 colours)"), "\(plain)")
        expectNoJunk(styled, plain)
        let params = styled.split(separator: "\u{1b}").compactMap { chunk -> [Int]? in
            guard chunk.hasPrefix("["), let m = chunk.firstIndex(of: "m") else { return nil }
            return chunk[chunk.index(after: chunk.startIndex) ..< m].split(separator: ";").compactMap { Int($0) }
        }.flatMap { $0 }
        #expect(params.contains { (30 ... 37).contains($0) } && params.contains { (40 ... 47).contains($0) })
        #expect(!params.contains(38) && !params.contains(48), "256 or truecolor codes under TERM=xterm")
    }
}
