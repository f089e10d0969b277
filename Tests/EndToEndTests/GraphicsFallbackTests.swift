import Glibc
import Testing
import TestSupport

/// `--graphics auto` inside tmux 3.3 (Debian's, built without sixel): characters, and no
/// escape junk — neither image data nor the terminal's answers to the queries reach the
/// screen or the shell.
@Suite(.serialized) struct GraphicsFallbackTests {
    static let reader = Fixtures.executable("blob-reader")
    static let image = Fixtures.packageRoot + "/Assets/sunset.png"

    /// - Parameter insideTmux: whether the command knows it runs in tmux (TMUX is set);
    ///   then the queries must not reach tmux as a pane title either (kitty's is an APC
    ///   string, which tmux takes for one: it would show in the status line).
    func run(_ command: String, marker: String, insideTmux: Bool = true) throws -> (styled: String, plain: String) {
        let (styled, plain, title) = try runWithTitle(command, marker: marker)
        if insideTmux { #expect(!title.contains("Gi=") && !title.contains("\u{1b}"), "pane title: \(title)") }
        return (styled, plain)
    }

    func runWithTitle(_ command: String, marker: String) throws -> (styled: String, plain: String, title: String) {
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.newShell("g", width: 100, height: 30, directory: "/tmp", environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        tmux.send("g", ["\(command); echo \(marker)", "Enter"])
        let (done, plain) = tmux.waitFor("g") { $0.contains("\n\(marker)") }
        try #require(done, "screen: \(plain)")
        let styled = tmux.run(["capture-pane", "-p", "-e", "-t", "g"]).out
        return (styled, plain, tmux.run(["display-message", "-p", "-t", "g", "#{pane_title}"]).out)
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
        // (The screen is 100 columns wide: the line wraps.)
        let unwrapped = plain.filter { $0 != "\n" }
        #expect(unwrapped.contains("inside tmux or screen without sixel (`tmux set -g allow-passthrough on` lets images through)"), "\(plain)")
        #expect(plain.contains("\u{2580}"), "no half blocks: \(plain)")
        expectNoJunk(styled, plain)
    }

    /// `--graphics sixel` asked inside tmux 3.3 with passthrough off (tmux's default): tmux
    /// would drop the image, so characters, and a note on stderr saying how to let it through.
    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available))
    func insideTmuxAnExplicitPixelModeWithoutPassthroughFallsBack() throws {
        let (styled, plain) = try run("env -u NO_COLOR '\(Self.reader)' preview '\(Self.image)' --graphics sixel --size 40x12 --info",
                                      marker: "END-3")
        let unwrapped = plain.filter { $0 != "\n" }
        #expect(unwrapped.contains("Note: sixel asked for, but tmux would drop it (`tmux set -g allow-passthrough on` lets images through)"),
                "\(plain)")
        #expect(plain.contains("output: blocks "), "\(plain)")
        #expect(plain.contains("\u{2580}"), "no half blocks: \(plain)")
        expectNoJunk(styled, plain)
    }

    /// TERM=xterm without TMUX: the terminal (tmux) is asked, answers DA1 without sixel,
    /// and the 8-colour palette is used (SGR 30-37/40-47 only).
    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available))
    func termXtermGetsEightColourCharacters() throws {
        let (styled, plain) = try run("env -u NO_COLOR -u TMUX TERM=xterm '\(Self.reader)' preview '\(Self.image)' --size 40x12 --info",
                                      marker: "END-2", insideTmux: false)
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

/// The apps on an 8-colour terminal (TERM=xterm): the preview keeps the picture's colours
/// (the cell-pair match of `preview --color 8`), not a few blobs of the nearest ones.
@Suite(.serialized) struct EightColourAppTests {
    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available))
    func theReaderAppShowsAnImageInEightColours() throws {
        let segment = Fixtures.uniqueSegmentName("e8")
        defer { Fixtures.removeSegment(segment) }
        let writer = Fixtures.executable("blob-writer"), reader = Fixtures.executable("blob-reader")
        try #require(Spawn.run(writer, ["put", Fixtures.packageRoot + "/Assets/sunset.png", "--segment", segment]).status == 0)
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.newShell("e", width: 100, height: 34, directory: "/tmp", environment: ["LANG": "C.UTF-8", "TERM": "xterm"])
        tmux.send("e", ["env -u NO_COLOR TERM=xterm '\(reader)' --segment \(segment) --watch --graphics blocks", "Enter"])
        let (shown, screen) = tmux.waitFor("e") { $0.contains("PNG  160 x 120") && $0.contains("\u{2580}") }
        #expect(shown, "screen: \(screen)")
        let styled = tmux.run(["capture-pane", "-p", "-e", "-t", "e"]).out
        var backgrounds = Set<Int>(), foregrounds = Set<Int>()
        for chunk in styled.split(separator: "\u{1b}") {
            guard chunk.hasPrefix("["), let m = chunk.firstIndex(of: "m") else { continue }
            for p in chunk[chunk.index(after: chunk.startIndex) ..< m].split(separator: ";").compactMap({ Int($0) }) {
                if (40 ... 47).contains(p) { backgrounds.insert(p) }
                if (30 ... 37).contains(p) { foregrounds.insert(p) }
                #expect(!(p == 38 || p == 48), "more than 8 colours under TERM=xterm")
            }
        }
        // Sky, sun, sea and their mixtures: at least 5 of the 8 colours in use.
        #expect(backgrounds.union(foregrounds.map { $0 - 10 }).count >= 5,
                "colours used: fg \(foregrounds.sorted()), bg \(backgrounds.sorted())")
        tmux.send("e", ["q"])
    }
}

/// COLORTERM=truecolor: the apps' previews go out in 24-bit colour (past ncurses' 256).
@Suite(.serialized) struct TruecolorAppTests {
    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available))
    func theReaderAppUsesTwentyFourBitColour() throws {
        let segment = Fixtures.uniqueSegmentName("tc")
        defer { Fixtures.removeSegment(segment) }
        let writer = Fixtures.executable("blob-writer"), reader = Fixtures.executable("blob-reader")
        try #require(Spawn.run(writer, ["put", Fixtures.packageRoot + "/Assets/sunset.png", "--segment", segment]).status == 0)
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.newShell("t", width: 100, height: 34, directory: "/tmp", environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        let command = "env -u NO_COLOR COLORTERM=truecolor '\(reader)' --segment \(segment) --watch --graphics blocks"
        tmux.send("t", [command, "Enter"])
        let (shown, screen) = tmux.waitFor("t") { $0.contains("PNG  160 x 120") && $0.contains("\u{2580}") }
        #expect(shown, "screen: \(screen)")
        let styled = tmux.run(["capture-pane", "-p", "-e", "-t", "t"]).out
        let rgb = styled.split(separator: "\u{1b}").filter { $0.hasPrefix("[38;2;") || $0.contains(";38;2;") }.count
        #expect(rgb >= 20, "24-bit foreground colours: \(rgb)")
        // The help box over the middle: the preview's cells it leaves keep their 24-bit
        // colours (the backend sends them, not an image the box would have to hide).
        tmux.send("t", ["?"])
        let (help, helpScreen) = tmux.waitFor("t") { $0.contains("any key closes") }
        #expect(help, "screen: \(helpScreen)")
        let styledHelp = tmux.run(["capture-pane", "-p", "-e", "-t", "t"]).out
        let rgbBeside = styledHelp.split(separator: "\u{1b}").filter { $0.hasPrefix("[38;2;") || $0.contains(";38;2;") }.count
        #expect(rgbBeside > 0 && rgbBeside < rgb, "24-bit colours beside the help: \(rgbBeside) of \(rgb)")
        tmux.send("t", ["Escape"])
        let (closed, _) = tmux.waitFor("t") { !$0.contains("any key closes") }
        #expect(closed)
        // Quit: the shell's screen has no preview left and the terminal is sane.
        tmux.send("t", ["q"])
        let (gone, after) = tmux.waitFor("t") { !$0.contains("blob-reader  ") }
        #expect(gone && !after.contains("\u{2580}"), "after quit: \(after)")
    }
}
