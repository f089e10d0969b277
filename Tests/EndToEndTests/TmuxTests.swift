import Glibc
import Testing
import TestSupport

/// The two apps in a real terminal (tmux): pick an image in the writer, read it in the
/// reader, compare with sha256sum, resize, quit, and check the terminal is sane again.
@Suite(.serialized) struct TmuxTests {
    static let writer = Fixtures.executable("blob-writer")
    static let reader = Fixtures.executable("blob-reader")

    /// Waits (polling, at most 15 s) until no process has this pid; the app was started
    /// by a shell in tmux, so its zombie is reaped by that shell.
    static func waitUntilGone(_ pid: Int32) -> Bool {
        let deadline = now() + 15
        while now() < deadline {
            if Glibc.kill(pid, 0) != 0 && errno == ESRCH { return true }
            var p = pollfd(fd: -1, events: 0, revents: 0)
            _ = poll(&p, 0, 10)
        }
        return false
    }

    @Test(.timeLimit(.minutes(3)), .enabled(if: Tmux.available))
    func pickInTheWriterReadInTheReader() throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let segment = Fixtures.uniqueSegmentName("e2e")
        defer { Fixtures.removeSegment(segment) }
        let assets = Fixtures.packageRoot + "/Assets"
        let env = ["LANG": "C.UTF-8", "TERM": "xterm-256color"]
        tmux.newShell("w", width: 110, height: 30, directory: assets, environment: env)
        tmux.newShell("r", width: 100, height: 40, directory: "/tmp", environment: env)
        tmux.send("w", ["'\(Self.writer)' . --segment \(segment)", "Enter"])
        tmux.send("r", ["'\(Self.reader)' --segment \(segment)", "Enter"])
        let (wUp, wScreen) = tmux.waitFor("w") { $0.contains("blob-writer  ") && $0.contains("sunset.png") }
        #expect(wUp, "writer screen: \(wScreen)")
        let (rUp, rScreen) = tmux.waitFor("r") { $0.contains("There is no segment '\(segment)' yet.") }
        #expect(rUp, "reader screen: \(rScreen)")

        // Select an image with / and Enter.
        tmux.send("w", ["/"])
        tmux.send("w", ["sunset.png"], literal: true)
        tmux.send("w", ["Enter"])
        let (published, pScreen) = tmux.waitFor("w") { $0.contains("Published sunset.png: sequence 1, 1199 bytes") }
        #expect(published, "writer screen: \(pScreen)")

        tmux.send("r", ["r"])
        let (read, screen) = tmux.waitFor("r") {
            $0.contains("compare:  identical to the file on disk") && $0.contains("PNG  160 x 120, 8-bit RGB")
        }
        #expect(read, "reader screen: \(screen)")
        let sum = String(Spawn.run("/usr/bin/sha256sum", [assets + "/sunset.png"]).out.prefix(64))
        #expect(screen.contains("sha256:   \(sum)"))
        #expect(Tmux.screen(screen, shows: "path:     ", path: assets + "/sunset.png"), "\(screen)")

        // Resize the reader mid-session: it redraws to the new size and keeps the blob.
        tmux.run(["resize-window", "-t", "r", "-x", "72", "-y", "22"])
        let (resized, small) = tmux.waitFor("r") { s in
            let lines = s.split(separator: "\n", omittingEmptySubsequences: false)
            return s.contains("compare:  identical") && lines.allSatisfy { $0.count <= 72 } && s.contains("sequence: 1")
        }
        #expect(resized, "after resize: \(small)")

        // Quit both; the shells get a sane terminal back.
        for session in ["w", "r"] {
            tmux.send(session, ["q"])
            let (gone, _) = tmux.waitFor(session) { !$0.contains("blob-writer  ") && !$0.contains("blob-reader  ") }
            #expect(gone, "\(session) did not quit")
            tmux.send(session, ["stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|icrnl)' | tr '\\n' ' '; echo STTY-DONE", "Enter"])
            let (sane, s) = tmux.waitFor(session) { $0.contains("icrnl icanon echo STTY-DONE") }
            #expect(sane, "\(session) terminal after quit: \(s)")
        }
    }

    /// The compare view in a real terminal, in characters: `d` shows the received image,
    /// the edited file on disk and the difference, titled, with the legend; `b` blinks to
    /// one picture; `d` goes back to the preview.
    @Test(.timeLimit(.minutes(3)), .enabled(if: Tmux.available))
    func theCompareViewInCharacters() throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let segment = Fixtures.uniqueSegmentName("e2c")
        defer { Fixtures.removeSegment(segment) }
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        Fixtures.write(PNGWriter.rgb(width: 120, height: 60) { x, y in (UInt8(x * 2), UInt8(y * 4), 90) }, to: dir + "/pic.png")
        try #require(Spawn.run(Self.writer, ["put", dir + "/pic.png", "--segment", segment]).status == 0)
        Fixtures.write(PNGWriter.rgb(width: 120, height: 60) { x, y in x < 30 && y < 30 ? (255, 255, 0) : (UInt8(x * 2), UInt8(y * 4), 90) },
                       to: dir + "/pic.png")
        tmux.newShell("c", width: 120, height: 40, directory: "/tmp", environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        // Colours on (the test runner sets NO_COLOR): the difference as a picture in half blocks.
        tmux.send("c", ["env -u NO_COLOR '\(Self.reader)' --segment \(segment)", "Enter"])
        let (up, start) = tmux.waitFor("c") { $0.contains("Press r to read") }
        #expect(up, "reader: \(start)")
        tmux.send("c", ["r"])
        let (read, first) = tmux.waitFor("c") { $0.contains("900 of 7200 differ") }
        #expect(read, "reader: \(first)")
        tmux.send("c", ["d"])
        let (shown, view) = tmux.waitFor("c") {
            $0.contains("received: PNG 120x60") && $0.contains("on disk: PNG 120x60") && $0.contains("difference: 900 of 7200 pixels")
                && $0.contains("yellow (1/255) to magenta (255/255)") && $0.contains("\u{2580}")
        }
        #expect(shown, "compare view: \(view)")
        tmux.send("c", ["b"])
        let (blinking, one) = tmux.waitFor("c") { $0.contains("Blink: the received image.") && !$0.contains("on disk: PNG") }
        #expect(blinking, "blink: \(one)")
        tmux.send("c", ["b"])
        let (other, two) = tmux.waitFor("c") { $0.contains("Blink: the file on disk.") && $0.contains("on disk: PNG") }
        #expect(other, "blink: \(two)")
        tmux.send("c", ["d"])
        let (back, preview) = tmux.waitFor("c") { $0.contains("Preview: the received image.") && !$0.contains("difference:") }
        #expect(back, "back: \(preview)")
        tmux.send("c", ["q"])
        let (gone, _) = tmux.waitFor("c") { !$0.contains("blob-reader  ") }
        #expect(gone)
    }

    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available))
    func plainTerminalsGetASCIIAndSigtermRestoresTheTerminal() throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let segment = Fixtures.uniqueSegmentName("e2ep")
        defer { Fixtures.removeSegment(segment) }
        let assets = Fixtures.packageRoot + "/Assets"
        tmux.newShell("p", width: 90, height: 26, directory: assets, environment: ["LANG": "C", "TERM": "vt100"])
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        let pidFile = dir + "/pid"
        tmux.send("p", ["sh -c 'echo $$ > \(pidFile); exec \"\(Self.writer)\" --segment \(segment)'", "Enter"])
        let (up, screen) = tmux.waitFor("p") { $0.contains("sunset.png") && $0.contains("160x120") || $0.contains("64x64") }
        #expect(up, "screen: \(screen)")
        #expect(screen.unicodeScalars.allSatisfy { $0.value < 0x80 }, "non-ASCII on a vt100: \(screen)")
        // SIGTERM from outside: the app ends cleanly and the terminal is restored.
        let pid = try #require(Int32(String(decoding: Fixtures.read(pidFile) ?? [], as: UTF8.self).filter { $0.isNumber }))
        #expect(Glibc.kill(pid, SIGTERM) == 0)
        #expect(Self.waitUntilGone(pid), "the app did not end after SIGTERM")
        // vt100 has no alternate screen, so the last frame stays visible: prove the shell
        // has the terminal again by having it evaluate something.
        tmux.send("p", ["echo ALIVE-$((40+2))", "Enter"])
        let (ended, e) = tmux.waitFor("p") { $0.contains("ALIVE-42") }
        #expect(ended, "after SIGTERM: \(e)")
        tmux.send("p", ["stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo)' | tr '\\n' ' '; echo STTY-DONE", "Enter"])
        let (sane, s) = tmux.waitFor("p") { $0.contains("icanon echo STTY-DONE") }
        #expect(sane, "terminal after SIGTERM: \(s)")
    }

    /// The demo inside tmux splits the current window (no tmux in tmux), shows the blob
    /// as it lands, and on quitting closes the reader's pane and removes its segment.
    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available))
    func theDemoSplitsTheWindowAndCleansUp() throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let segment = Fixtures.uniqueSegmentName("demo")
        defer { Fixtures.removeSegment(segment) }
        tmux.newShell("d", width: 160, height: 40, directory: "/tmp",
                      environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color",
                                    "SHAREDBLOB_BIN": Fixtures.productsDirectory, "SEGMENT": segment])
        tmux.send("d", ["bash '\(Fixtures.packageRoot)/scripts/demo.sh'", "Enter"])
        let (split, panes) = tmux.waitFor("d") { _ in
            tmux.run(["list-panes", "-t", "d", "-F", "#{pane_index}"]).out.split(separator: "\n").count == 2
        }
        #expect(split, "\(panes)")
        let (up, writer) = tmux.waitFor("d:0.0") { $0.contains("blob-writer  ") && $0.contains("sunset.png") }
        #expect(up, "writer: \(writer)")
        let (waiting, reader) = tmux.waitFor("d:0.1") { $0.contains("[watching]") && $0.contains("There is no segment") }
        #expect(waiting, "reader: \(reader)")
        #expect(reader.split(separator: "\n").allSatisfy { $0.count <= 80 }, "reader text wider than its pane: \(reader)")
        tmux.send("d:0.0", ["/"])
        tmux.send("d:0.0", ["sunset.png"], literal: true)
        tmux.send("d:0.0", ["Enter"])
        let (landed, shown) = tmux.waitFor("d:0.1") { $0.contains("compare:  identical to the file on disk") }
        #expect(landed, "reader: \(shown)")
        tmux.send("d:0.0", ["q"])
        let (closed, _) = tmux.waitFor("d") { _ in
            tmux.run(["list-panes", "-t", "d", "-F", "#{pane_index}"]).out.split(separator: "\n").count == 1
        }
        #expect(closed)
        let (gone, _) = tmux.waitFor("d") { _ in access("/dev/shm/" + segment, F_OK) != 0 }
        #expect(gone, "the demo left its segment behind")
    }

    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available), arguments: [SIGABRT, SIGSEGV])
    func aCrashRestoresTheTerminalAndEndsPromptly(signal: Int32) throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let segment = Fixtures.uniqueSegmentName("e2ec")
        defer { Fixtures.removeSegment(segment) }
        let assets = Fixtures.packageRoot + "/Assets"
        tmux.newShell("c", width: 100, height: 30, directory: assets,
                      environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color"])
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        let pidFile = dir + "/pid"
        tmux.send("c", ["sh -c 'echo $$ > \(pidFile); exec \"\(Self.writer)\" --segment \(segment)'", "Enter"])
        let (up, screen) = tmux.waitFor("c") { $0.contains("blob-writer  ") && $0.contains("sunset.png") }
        #expect(up, "screen: \(screen)")
        let pid = try #require(Int32(String(decoding: Fixtures.read(pidFile) ?? [], as: UTF8.self).filter { $0.isNumber }))
        #expect(Glibc.kill(pid, signal) == 0)
        #expect(Self.waitUntilGone(pid), "the app did not end after signal \(signal)")
        // The handler restores the terminal, prints a backtrace after it, and the process
        // dies of the signal: the shell answers again (bounded wait, no interactive backtracer).
        tmux.send("c", ["echo ALIVE-$((40+2))", "Enter"])
        let (ended, e) = tmux.waitFor("c", seconds: 15, history: true) { $0.contains("ALIVE-42") }
        #expect(ended, "after the signal: \(e)")
        #expect(e.contains("terminal restored. Backtrace for a bug report:"), "\(e)")
        let screenNow = tmux.capture("c")
        #expect(!screenNow.contains("blob-writer  /"), "the app's screen is still up: \(screenNow)")
        tmux.send("c", ["stty -a | tr ' ;' '\\n\\n' | grep -xE -- '-?(icanon|echo|icrnl)' | tr '\\n' ' '; echo STTY-DONE", "Enter"])
        let (sane, s) = tmux.waitFor("c") { $0.contains("icrnl icanon echo STTY-DONE") }
        #expect(sane, "terminal after the signal: \(s)")
    }

    @Test(.timeLimit(.minutes(2)), .enabled(if: Tmux.available))
    func noColorMeansNoColour() throws {
        let tmux = Tmux()
        defer { tmux.kill() }
        let segment = Fixtures.uniqueSegmentName("e2en")
        defer { Fixtures.removeSegment(segment) }
        let assets = Fixtures.packageRoot + "/Assets"
        tmux.newShell("n", width: 100, height: 26, directory: assets,
                      environment: ["LANG": "C.UTF-8", "TERM": "xterm-256color", "NO_COLOR": "1"])
        tmux.send("n", ["'\(Self.writer)' --segment \(segment)", "Enter"])
        let (up, _) = tmux.waitFor("n") { $0.contains("checker-alpha.png  64x64") }
        #expect(up)
        let styled = tmux.run(["capture-pane", "-p", "-e", "-t", "n"]).out
        // Any SGR parameter 30-37, 40-47, 38;.. or 48;.. would set a colour (39/49 only reset).
        let colourCodes = (30 ... 37).map(String.init) + (40 ... 47).map(String.init) + ["38", "48"]
        let params = styled.split(separator: "\u{1b}").compactMap { chunk -> [Substring]? in
            guard chunk.hasPrefix("["), let m = chunk.firstIndex(of: "m") else { return nil }
            return chunk[chunk.index(after: chunk.startIndex) ..< m].split(separator: ";")
        }
        #expect(!params.contains { $0.contains { colourCodes.contains(String($0)) } }, "colour codes under NO_COLOR")
        // An ASCII preview instead of coloured blocks: right of the separator, below the
        // caption, the ramp's characters and no half block.
        let plain = tmux.capture("n")
        let previewText = plain.split(separator: "\n").dropFirst(2).compactMap { line -> Substring? in
            guard let bar = line.firstIndex(of: "\u{2502}") else { return nil }
            return line[line.index(after: bar)...]
        }.joined()
        #expect(!plain.contains("\u{2580}"), "half blocks under NO_COLOR: \(plain)")
        #expect(previewText.filter { "@08GCLft1i;:,.".contains($0) }.count >= 100, "no ASCII preview: \(plain)")
        tmux.send("n", ["q"])
    }
}
