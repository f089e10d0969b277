import Glibc
import ImagePreview
import Testing
import TestSupport

/// A real terminal that draws sixel: xterm -ti vt340 under Xvfb. The reader's preview
/// (`--graphics auto`) is drawn there, the screen is captured (`xwd`, converted with
/// ImageMagick) and the image's pixels are compared with the source.
@Suite(.serialized) struct XtermTests {
    static let reader = Fixtures.executable("blob-reader")
    static let tools = ["/usr/bin/Xvfb", "/usr/bin/xterm", "/usr/bin/xwd", "/usr/bin/convert", "/usr/bin/xdotool"]
    static let writer = Fixtures.executable("blob-writer")

    /// An X server on a free display and a scratch folder, both gone at the end.
    final class Screen {
        let dir = Fixtures.makeTempDirectory()
        let display: Int
        let server: Spawn.Child
        var terminal: Spawn.Child?

        init() throws {
            for tool in XtermTests.tools {
                try #require(access(tool, X_OK) == 0, "\(tool) is missing (the README's test set-up installs xvfb xterm x11-apps imagemagick xdotool)")
            }
            var n = 90 + Int(getpid() % 50)
            while access("/tmp/.X11-unix/X\(n)", F_OK) == 0 || access("/tmp/.X\(n)-lock", F_OK) == 0 { n += 1 }
            display = n
            server = Spawn.start("/usr/bin/Xvfb", [":\(n)", "-screen", "0", "800x600x24", "-nolisten", "tcp"])
            let deadline = now() + 20
            while access("/tmp/.X11-unix/X\(n)", F_OK) != 0 && now() < deadline { var p = pollfd(); _ = poll(&p, 0, 20) }
            try #require(access("/tmp/.X11-unix/X\(n)", F_OK) == 0, "Xvfb did not start")
        }

        deinit {
            terminal?.signal(SIGKILL)
            _ = terminal?.finish(seconds: 10)
            server.signal(SIGTERM)
            _ = server.finish(seconds: 10)
            Fixtures.removeTree(dir)
        }

        /// Types keys into the xterm (the pointer over it gives it the keyboard: there is no
        /// window manager).
        func type(_ keys: String) {
            _ = Spawn.run("/usr/bin/xdotool", ["mousemove", "300", "200"], environment: ["DISPLAY": ":\(display)"])
            _ = Spawn.run("/usr/bin/xdotool", ["type", keys], environment: ["DISPLAY": ":\(display)"])
        }

        /// Presses a named key (xdotool's names: `Down`, `Return`).
        func key(_ name: String) {
            _ = Spawn.run("/usr/bin/xdotool", ["mousemove", "300", "200"], environment: ["DISPLAY": ":\(display)"])
            _ = Spawn.run("/usr/bin/xdotool", ["key", name], environment: ["DISPLAY": ":\(display)"])
        }

        /// Resizes the xterm's window (it then resizes its terminal: SIGWINCH).
        func resize(width: Int, height: Int) {
            let env = ["DISPLAY": ":\(display)"]
            let ids = Spawn.run("/usr/bin/xdotool", ["search", "--class", "xterm"], environment: env).out
            for id in ids.split(separator: "\n") {
                _ = Spawn.run("/usr/bin/xdotool", ["windowsize", String(id), String(width), String(height)], environment: env)
            }
        }

        /// Whether the command has ended (its marker file exists).
        var finished: Bool { access(dir + "/done", F_OK) == 0 }

        /// Starts `command` in an xterm (vt340: sixel) without waiting for it.
        func start(_ command: String) {
            let args = ["-geometry", "100x30+0+0", "-xrm", "XTerm*numColorRegisters: 256", "-ti", "vt340",
                        "-xrm", "XTerm*decTerminalID: vt340",
                        "-e", "/usr/bin/env", "-u", "NO_COLOR", "/bin/sh", "-c", "\(command); echo $? > \(dir)/done; exec cat > /dev/null"]
            terminal = Spawn.start("/usr/bin/xterm", args, environment: ["DISPLAY": ":\(display)", "LANG": "C.UTF-8"])
        }

        /// Runs `command` in an xterm (vt340: sixel) and waits until it has finished
        /// drawing (it writes a marker file); the xterm stays open, showing it.
        func run(_ command: String, vt340: Bool = true) throws {
            var args = ["-geometry", "100x30+0+0", "-xrm", "XTerm*numColorRegisters: 256"]
            if vt340 { args += ["-ti", "vt340", "-xrm", "XTerm*decTerminalID: vt340"] }
            // `cat` keeps the window open, without a timer, until the test kills it; the test
            // runner's NO_COLOR (swift test sets it) would turn the preview into ASCII.
            args += ["-e", "/usr/bin/env", "-u", "NO_COLOR", "/bin/sh", "-c", "\(command) > /dev/tty 2> \(dir)/err; echo $? > \(dir)/done; exec cat > /dev/null"]
            terminal = Spawn.start("/usr/bin/xterm", args, environment: ["DISPLAY": ":\(display)", "LANG": "C.UTF-8"])
            let deadline = now() + 30
            while access(dir + "/done", F_OK) != 0 && now() < deadline { var p = pollfd(); _ = poll(&p, 0, 20) }
            let done = Fixtures.read(dir + "/done").map { String(decoding: $0, as: UTF8.self) }
            try #require(done == "0\n", "the preview ended with \(done ?? "nothing"): \(Fixtures.read(dir + "/err").map { String(decoding: $0, as: UTF8.self) } ?? "")")
        }

        /// Saves the last capture as a PNG (for the README's screenshot).
        func saveLastCapture(as png: String) {
            _ = Spawn.run("/usr/bin/convert", ["xwd:" + dir + "/screen.xwd", "-trim", "+repage", png])
        }

        /// The screen as 800x600 RGB, once xterm has drawn what it was sent: `ready` holds
        /// and two captures in a row agree (at most 20 s).
        func capture(until ready: ([UInt8]) -> Bool) throws -> [UInt8] {
            var previous: [UInt8]?
            let deadline = now() + 20
            while now() < deadline {
                let xwd = Spawn.run("/usr/bin/xwd", ["-root", "-silent", "-display", ":\(display)", "-out", dir + "/screen.xwd"])
                try #require(xwd.status == 0, "xwd: \(xwd.err)")
                let convert = Spawn.run("/usr/bin/convert", ["xwd:" + dir + "/screen.xwd", "-depth", "8", "rgb:" + dir + "/screen.rgb"])
                try #require(convert.status == 0, "convert: \(convert.err)")
                let rgb = try #require(Fixtures.read(dir + "/screen.rgb"))
                try #require(rgb.count == 800 * 600 * 3)
                if rgb == previous && ready(rgb) { return rgb }
                previous = rgb
            }
            return try #require(previous)
        }
    }

    /// The bounding box of colourful pixels (not grey: text and background are).
    static func colourfulBox(_ rgb: [UInt8]) -> (x: Int, y: Int, width: Int, height: Int)? {
        var minX = 800, minY = 600, maxX = -1, maxY = -1
        for y in 0 ..< 600 {
            for x in 0 ..< 800 {
                let o = (y * 800 + x) * 3
                let hi = max(rgb[o], rgb[o + 1], rgb[o + 2]), lo = min(rgb[o], rgb[o + 1], rgb[o + 2])
                if Int(hi) - Int(lo) > 40 { minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y) }
            }
        }
        return maxX < 0 ? nil : (minX, minY, maxX - minX + 1, maxY - minY + 1)
    }

    /// The colourful box below `top` (pixel row): the app's preview, not its green verdict.
    static func previewBox(_ rgb: [UInt8], top: Int) -> (x: Int, y: Int, width: Int, height: Int)? {
        var masked = rgb
        for i in 0 ..< min(masked.count, top * 800 * 3) { masked[i] = 0 }
        return colourfulBox(masked)
    }

    /// The reader app draws the received image as sixel pixels in its preview area,
    /// removes it while the key help covers the screen, puts it back, moves it when the
    /// window shrinks, replaces it when a new blob is published, and leaves nothing behind
    /// on quit.
    @Test(.timeLimit(.minutes(3)))
    func theReaderAppPlacesAndClearsItsImage() throws {
        let screen = try Screen()
        let segment = Fixtures.uniqueSegmentName("xt")
        defer { Fixtures.removeSegment(segment) }
        // Published from a folder of its own, as a user's photo would be (the screenshot
        // shows its path).
        let photos = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(photos) }
        Fixtures.write(try #require(Fixtures.read(Fixtures.packageRoot + "/Assets/sunset.png")), to: photos + "/sunset.png")
        try #require(Spawn.run(Self.writer, ["put", photos + "/sunset.png", "--segment", segment]).status == 0)
        screen.start("'\(Self.reader)' --segment \(segment) --watch")
        func isImage(_ box: (x: Int, y: Int, width: Int, height: Int)?) -> Bool {
            box.map { abs($0.width - 160) <= 1 && abs($0.height - 120) <= 1 } ?? false
        }
        // Below the facts (row 8 of 13-pixel cells), where the preview goes.
        let top = 8 * 13
        let shown = try screen.capture { isImage(Self.previewBox($0, top: top)) }
        // SHAREDBLOB_SCREENSHOT=PATH keeps this screen as a PNG: docs/reader-app.png is one.
        if let png = getenv("SHAREDBLOB_SCREENSHOT").map({ String(cString: $0) }) { screen.saveLastCapture(as: png) }
        let placed = try #require(Self.previewBox(shown, top: top), "no image in the app")
        #expect(isImage(placed), "image drawn at \(placed)")
        // The received image, as real pixels, within the same bound as `preview`.
        let mean = try Self.meanError(shown, at: placed, against: Fixtures.packageRoot + "/Assets/sunset.png")
        print("xterm (reader app, sixel): image at \(placed), mean error \(mean)/255 against the source")
        #expect(mean < Self.bound, "mean error \(mean)/255 against the source")
        screen.type("?")
        let help = try screen.capture { Self.previewBox($0, top: top) == nil }
        #expect(Self.previewBox(help, top: top) == nil, "image under the help overlay")
        screen.type("x")
        let back = try screen.capture { isImage(Self.previewBox($0, top: top)) }
        #expect(isImage(Self.previewBox(back, top: top)), "image not back after the overlay closed")
        // A smaller window: the app redraws for the new size; the image moves to the new
        // preview area's centre and no copy is left where it was.
        let before = try #require(Self.previewBox(back, top: top))
        screen.resize(width: 500, height: 330)
        let moved = try screen.capture { rgb in Self.previewBox(rgb, top: top).map { $0.x != before.x } ?? false }
        let after = Self.previewBox(moved, top: top)
        #expect(isImage(after) && after?.x != before.x, "after a resize the preview is at \(String(describing: after)), was \(before)")
        // Watch mode: a new publish replaces the image in place (64x64 now), no trace of the old.
        try #require(Spawn.run(Self.writer, ["put", Fixtures.packageRoot + "/Assets/checker-alpha.png", "--segment", segment]).status == 0)
        let replaced = try screen.capture { rgb in Self.previewBox(rgb, top: top).map { $0.width <= 65 && $0.height <= 65 } ?? false }
        let checker = Self.previewBox(replaced, top: top)
        #expect(checker.map { $0.width <= 65 && $0.height <= 65 && $0.width >= 60 } ?? false,
                "after a new publish the preview is at \(String(describing: checker))")
        try Self.quitLeavesNothing(screen)
    }

    /// Colourful areas below pixel row `top`, left to right: each run of columns holding
    /// colourful pixels (gaps under 4 pixels joined) and the rows those pixels span.
    static func colourfulAreas(_ rgb: [UInt8], top: Int) -> [(x: Int, y: Int, width: Int, height: Int)] {
        var spans: [(x0: Int, x1: Int, y0: Int, y1: Int)] = []
        for x in 0 ..< 800 {
            var y0 = -1, y1 = -1
            for y in top ..< 600 {
                let o = (y * 800 + x) * 3
                let hi = max(rgb[o], rgb[o + 1], rgb[o + 2]), lo = min(rgb[o], rgb[o + 1], rgb[o + 2])
                if Int(hi) - Int(lo) > 40 { if y0 < 0 { y0 = y }; y1 = y }
            }
            guard y0 >= 0 else { continue }
            if let last = spans.last, x - last.x1 < 4 {
                spans[spans.count - 1] = (last.x0, x, min(last.y0, y0), max(last.y1, y1))
            } else {
                spans.append((x, x, y0, y1))
            }
        }
        return spans.map { ($0.x0, $0.y0, $0.x1 - $0.x0 + 1, $0.y1 - $0.y0 + 1) }
    }

    /// The reader's compare view (`d`) in a sixel xterm: the received image, the file on
    /// disk (changed in a rectangle) and the difference picture, each as real pixels
    /// matching its source (the difference: the PNG `compare --diff` writes), and nothing
    /// left on quit.
    @Test(.timeLimit(.minutes(3)))
    func theCompareViewDrawsBothImagesAndTheDifferenceAsPixels() throws {
        let screen = try Screen()
        let segment = Fixtures.uniqueSegmentName("xc")
        defer { Fixtures.removeSegment(segment) }
        let photos = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(photos) }
        let original = Fixtures.packageRoot + "/Assets/sunset.png", changed = screen.dir + "/changed.png"
        try #require(Spawn.run("/usr/bin/convert", [original, "-fill", "rgb(0,200,255)", "-draw", "rectangle 100,20 139,59",
                                                    "PNG24:" + changed]).status == 0)
        let diff = screen.dir + "/diff.png"
        try #require(Spawn.run(Self.reader, ["compare", original, changed, "--diff", diff]).status == 1)
        Fixtures.write(try #require(Fixtures.read(original)), to: photos + "/sunset.png")
        try #require(Spawn.run(Self.writer, ["put", photos + "/sunset.png", "--segment", segment]).status == 0)
        // The photo is then edited on disk (a minute later, as far as its time says).
        Fixtures.write(try #require(Fixtures.read(changed)), to: photos + "/sunset.png")
        var times = [timespec(tv_sec: time(nil) + 60, tv_nsec: 0), timespec(tv_sec: time(nil) + 60, tv_nsec: 0)]
        try #require(utimensat(AT_FDCWD, photos + "/sunset.png", &times, 0) == 0)
        screen.start("'\(Self.reader)' --segment \(segment) --watch")
        let top = 8 * 13
        _ = try screen.capture { Self.previewBox($0, top: top).map { abs($0.width - 160) <= 1 } ?? false }
        screen.type("d")
        // The panes' pictures start below their titles (row 9).
        let below = 9 * 13
        func isImage(_ a: (x: Int, y: Int, width: Int, height: Int)) -> Bool { abs(a.width - 160) <= 1 && abs(a.height - 120) <= 1 }
        let shown = try screen.capture { rgb in
            let areas = Self.colourfulAreas(rgb, top: below)
            return areas.count == 3 && isImage(areas[0]) && isImage(areas[1])
        }
        if let png = getenv("SHAREDBLOB_COMPARE_SCREENSHOT").map({ String(cString: $0) }) { screen.saveLastCapture(as: png) }
        let areas = Self.colourfulAreas(shown, top: below)
        try #require(areas.count == 3 && isImage(areas[0]) && isImage(areas[1]), "expected the two images and the changed rectangle: \(areas)")
        let received = areas[0], disk = areas[1]
        #expect(received.y == disk.y, "side by side: \(areas)")
        // The difference pane is as far right of the on-disk one as that is of the received.
        let difference = (x: disk.x + (disk.x - received.x), y: disk.y, width: 160, height: 120)
        let errors = (try Self.meanError(shown, at: received, against: original), try Self.meanError(shown, at: disk, against: changed),
                      try Self.meanError(shown, at: difference, against: diff))
        print("xterm (compare view, sixel): received \(received), on disk \(disk), mean errors \(errors) against the sources")
        #expect(errors.0 < Self.bound && errors.1 < Self.bound && errors.2 < Self.bound, "mean errors \(errors)")
        // The changed rectangle (40x40 at 100,20) is where the difference picture is coloured.
        let spot = areas[2]
        #expect(abs(spot.x - (difference.x + 100)) <= 1 && abs(spot.y - (difference.y + 20)) <= 1 && abs(spot.width - 40) <= 1,
                "the coloured part of the difference is at \(spot), the change at \(difference.x + 100),\(difference.y + 20)")
        try Self.quitLeavesNothing(screen)
    }

    /// The writer app previews the highlighted file as sixel pixels (small files too: they
    /// are read whole with the first read), replaces it when the selection moves, and
    /// leaves nothing behind on quit.
    @Test(.timeLimit(.minutes(3)))
    func theWriterAppPreviewsTheHighlightedImageAsPixels() throws {
        let screen = try Screen()
        let pictures = screen.dir + "/pictures"
        try #require(mkdir(pictures, 0o700) == 0)
        for name in ["checker-alpha.png", "sunset.png"] {
            let bytes = try #require(Fixtures.read(Fixtures.packageRoot + "/Assets/" + name))
            Fixtures.write(bytes, to: pictures + "/" + name)
        }
        let segment = Fixtures.uniqueSegmentName("xw")
        defer { Fixtures.removeSegment(segment) }
        screen.start("'\(Self.writer)' '\(pictures)' --segment \(segment)")
        // checker-alpha.png first: 64x64 pixels, where characters would fill the preview area.
        let first = try screen.capture { Self.colourfulBox($0).map { $0.width <= 65 && $0.height <= 65 } ?? false }
        let checker = try #require(Self.colourfulBox(first), "no preview")
        #expect(checker.width <= 65 && checker.height <= 65 && checker.width >= 60, "checker preview drawn at \(checker)")
        screen.key("Down")
        let second = try screen.capture { Self.colourfulBox($0).map { abs($0.width - 160) <= 1 && abs($0.height - 120) <= 1 } ?? false }
        let sunset = try #require(Self.colourfulBox(second), "no preview after moving down")
        #expect(abs(sunset.width - 160) <= 1 && abs(sunset.height - 120) <= 1, "sunset preview drawn at \(sunset)")
        let mean = try Self.meanError(second, at: sunset, against: Fixtures.packageRoot + "/Assets/sunset.png")
        print("xterm (writer app, sixel): image at \(sunset), mean error \(mean)/255 against the source")
        #expect(mean < Self.bound, "mean error \(mean)/255 against the source")
        try Self.quitLeavesNothing(screen)
    }

    /// Presses `q` in an app; it must end (at most 20 s) and leave no colour on the screen.
    static func quitLeavesNothing(_ screen: Screen) throws {
        screen.type("q")
        let deadline = now() + 20
        while !screen.finished && now() < deadline { var p = pollfd(); _ = poll(&p, 0, 20) }
        #expect(screen.finished, "the app did not quit")
        let cleared = try screen.capture { Self.colourfulBox($0) == nil }
        #expect(Self.colourfulBox(cleared) == nil, "something left on the screen after quit")
    }

    /// Mean channel difference between the 160x120 screen region at `box` and the
    /// source image box-filtered to that size.
    static func meanError(_ rgb: [UInt8], at box: (x: Int, y: Int, width: Int, height: Int), against image: String) throws -> Double {
        let source = try #require(Fixtures.read(image))
        let (_, raster) = try source.withUnsafeBytes { try Preview.raster($0, boxWidth: 160, boxHeight: 120, options: PreviewOptions()) }
        var sum = 0
        for y in 0 ..< 120 {
            for x in 0 ..< 160 {
                for c in 0 ..< 3 {
                    sum += abs(Int(rgb[((box.y + y) * 800 + box.x + x) * 3 + c]) - Int(raster.rgb[(y * 160 + x) * 3 + c]))
                }
            }
        }
        return Double(sum) / Double(160 * 120 * 3)
    }

    /// Mean error bound (per channel, of 255) between the screen and the source.
    static let bound = 12.0

    @Test(.timeLimit(.minutes(3)))
    func autoDrawsRealPixelsInAnXtermWithSixel() throws {
        let screen = try Screen()
        let image = Fixtures.packageRoot + "/Assets/sunset.png"
        try screen.run("'\(Self.reader)' preview '\(image)' --size 40x12")
        let rgb = try screen.capture { Self.colourfulBox($0).map { $0.width >= 150 } ?? false }
        if let keep = getenv("SHAREDBLOB_KEEP_SCREENSHOT") {
            _ = Spawn.run("/usr/bin/convert", ["-size", "800x600", "-depth", "8", "rgb:" + screen.dir + "/screen.rgb",
                                               "-crop", "606x396+0+0", String(cString: keep)])
        }
        // 40x12 cells of 6x13 pixels hold the 160x120 image unscaled.
        let found = Self.colourfulBox(rgb)
        let box = try #require(found, "no image on the screen")
        #expect(abs(box.width - 160) <= 1 && abs(box.height - 120) <= 1, "image drawn at \(box)")
        let mean = try Self.meanError(rgb, at: box, against: image)
        print("xterm (sixel): image at \(box), mean error \(mean)/255 against the source")
        #expect(mean < Self.bound, "mean error \(mean)/255 against the source")
    }

    /// Inside tmux 3.3 (which draws no sixel) with `allow-passthrough on`: `--graphics
    /// sixel` goes through to the xterm as real pixels, and tmux's cursor ends below the
    /// image, so what the shell prints next does not cover it.
    @Test(.timeLimit(.minutes(3)), .enabled(if: Tmux.available))
    func insideTmuxSixelGoesThroughPassthrough() throws {
        let screen = try Screen()
        let tmux = Tmux()
        defer { tmux.kill() }
        tmux.newShell("p", width: 100, height: 29, directory: "/tmp", environment: ["LANG": "C.UTF-8", "TERM": "tmux-256color"])
        tmux.run(["set-option", "-g", "allow-passthrough", "on"])
        // No status line: its green would count as image colour.
        tmux.run(["set-option", "-g", "status", "off"])
        screen.start("/usr/bin/tmux -S '\(tmux.socket)' attach -t p")
        // Attached, and tmux has heard the xterm's answers (its cell size in pixels, which
        // the pane's size then carries, and its name): before that, the preview would size
        // the image from the 10x20 default.
        func known() -> Bool {
            let out = tmux.run(["display-message", "-p", "-t", "p", "#{client_cell_height}|#{client_termtype}"]).out
            let parts = out.split(separator: "|", omittingEmptySubsequences: false)
            return parts.count == 2 && (Int(parts[0]) ?? 0) > 0 && parts[1].count > 1
        }
        let deadline = now() + 20
        while !known() && now() < deadline { var p = pollfd(); _ = poll(&p, 0, 20) }
        try #require(known(), "the xterm did not attach to tmux, or tmux did not learn its cell size")
        let image = Fixtures.packageRoot + "/Assets/sunset.png"
        tmux.send("p", ["clear; '\(Self.reader)' preview '\(image)' --graphics sixel --size 40x12 --info 2>&1; echo AFTER-IMAGE", "Enter"])
        let (done, pane) = tmux.waitFor("p") { $0.contains("\nAFTER-IMAGE") }
        try #require(done, "pane: \(pane)")
        #expect(pane.contains("through tmux's passthrough"), "\(pane)")
        let rgb = try screen.capture { Self.colourfulBox($0).map { $0.width >= 150 } ?? false }
        let box = try #require(Self.colourfulBox(rgb), "no image on the screen: \(pane)")
        // The image, unscaled.
        #expect(abs(box.width - 160) <= 1 && abs(box.height - 120) <= 1, "image drawn at \(box)")
        let mean = try Self.meanError(rgb, at: box, against: image)
        print("xterm + tmux 3.3 passthrough (sixel): image at \(box), mean error \(mean)/255 against the source")
        #expect(mean < Self.bound, "mean error \(mean)/255 against the source")
        // The shell's next line is below the image's last pixel row (13-pixel cells).
        let lines = pane.split(separator: "\n", omittingEmptySubsequences: false)
        let row = try #require(lines.firstIndex { $0.hasPrefix("AFTER-IMAGE") })
        #expect(row * 13 >= box.y + box.height, "AFTER-IMAGE on row \(row), the image ends at pixel \(box.y + box.height)")
    }

    @Test(.timeLimit(.minutes(3)))
    func anXtermWithoutSixelGetsCharacters() throws {
        let screen = try Screen()
        let image = Fixtures.packageRoot + "/Assets/sunset.png"
        // Plain xterm (no vt340): DA1 without 4, TERM=xterm: 8-colour blocks, no pixels.
        try screen.run("TERM=xterm '\(Self.reader)' preview '\(image)' --size 40x12 --info", vt340: false)
        let rgb = try screen.capture { Self.colourfulBox($0) != nil }
        let found = Self.colourfulBox(rgb)
        let box = try #require(found, "no colour on the screen")
        // Characters: the drawn area is whole cells (6x13), not the image's 160x120 pixels.
        #expect(box.width % 6 == 0 || box.width < 160, "drawn at \(box)")
        #expect(!(abs(box.width - 160) <= 1 && abs(box.height - 120) <= 1), "looks like pixels: \(box)")
    }
}
