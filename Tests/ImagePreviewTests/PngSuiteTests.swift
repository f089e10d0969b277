import Glibc
import ImagePreview
import Testing
import TestSupport

/// Willem van Schaik's PngSuite (LICENSE and README beside the images), in the repository.
let pngSuite = Fixtures.packageRoot + "/Tests/Fixtures/pngsuite"

/// The names a parameterised test runs over; never empty: a missing suite becomes one
/// case that fails saying so, instead of a test that silently runs zero cases.
func suiteCases(corrupt: Bool) -> [String] {
    let names = suiteFiles(corrupt: corrupt)
    return names.isEmpty ? [missingSuite] : names
}

let missingSuite = "(no PngSuite images found in \(pngSuite))"

func suiteFiles(corrupt: Bool) -> [String] {
    guard let dir = opendir(pngSuite) else { return [] }
    defer { closedir(dir) }
    var names = [String]()
    while let entry = readdir(dir) {
        let name = withUnsafeBytes(of: entry.pointee.d_name) { String(cString: $0.bindMemory(to: CChar.self).baseAddress!) }
        if name.hasSuffix(".png") && name.hasPrefix("x") == corrupt { names.append(name) }
    }
    return names.sorted()
}

/// What PngSuite's naming scheme says about a file: size, colour type, depth, interlace.
func expectation(_ name: String) -> (width: Int, height: Int, colorType: Int, depth: Int, interlaced: Bool) {
    let stem = Array(name.dropLast(4))
    let n = stem.count  // ...[n|i][colour type digit][g|c|p|a][depth, two digits]
    let interlaced = stem[n - 5] == "i"
    let colorType = Int(String(stem[n - 4]))!
    let depth = Int(String(stem[n - 2 ... n - 1]))!
    var w = 32, h = 32
    if stem[0] == "s", let n = Int(String(stem[1 ... 2])) { w = n; h = n }
    switch String(stem[0 ... 3]) {
    case "cdfn": w = 8; h = 32
    case "cdhn": w = 32; h = 8
    case "cdsn": w = 8; h = 8
    default: break
    }
    return (w, h, colorType, depth, interlaced)
}

@Suite struct PngSuiteTests {
    @Test func theSuiteIsThere() {
        #expect(suiteFiles(corrupt: false).count == 161)
        #expect(suiteFiles(corrupt: true).count == 14)
    }

    @Test(arguments: suiteCases(corrupt: false))
    func validImagesDecodeAsTheirNamesSay(name: String) throws {
        try #require(name != missingSuite, "\(name)")
        let bytes = try #require(Fixtures.read(pngSuite + "/" + name))
        let want = expectation(name)
        let (info, grid) = try bytes.withUnsafeBytes { try Preview.render($0, options: PreviewOptions(columns: 40, rows: 20)) }
        #expect(info.format == .png)
        #expect(info.width == want.width && info.height == want.height)
        #expect(info.colorTypeCode == want.colorType)
        #expect(info.bitDepth == want.depth)
        #expect(info.interlaced == want.interlaced)
        #expect(grid.width >= 1 && grid.width <= 40 && grid.height >= 1 && grid.height <= 20)
        let blocks = try bytes.withUnsafeBytes {
            try Preview.render($0, options: PreviewOptions(columns: 40, rows: 20, mode: .blocks, color: .truecolor))
        }
        #expect(blocks.1.cells.allSatisfy { $0.foreground != nil && $0.background != nil })
    }

    @Test(arguments: suiteCases(corrupt: true))
    func corruptImagesAreRejectedWithLibpngsMessage(name: String) throws {
        try #require(name != missingSuite, "\(name)")
        let bytes = try #require(Fixtures.read(pngSuite + "/" + name))
        #expect {
            try bytes.withUnsafeBytes { try Preview.render($0, options: PreviewOptions()) }
        } throws: { error in
            switch error as? ImageError {
            case let .decodeFailed(_, message)?: return !message.isEmpty
            default: return false
            }
        }
    }

    /// Adam7 images are summed pass by pass into the grid: each must render exactly like
    /// its non-interlaced twin (PngSuite's basi* and basn* hold the same pixels).
    @Test(arguments: suiteCases(corrupt: false).filter { $0.hasPrefix("basi") || $0 == missingSuite })
    func interlacedImagesRenderLikeTheirTwins(name: String) throws {
        try #require(name != missingSuite, "\(name)")
        let twin = "basn" + name.dropFirst(4)
        let a = try #require(Fixtures.read(pngSuite + "/" + name)), b = try #require(Fixtures.read(pngSuite + "/" + twin))
        for options in [PreviewOptions(columns: 16, rows: 8), PreviewOptions(columns: 40, rows: 20, mode: .blocks, color: .truecolor)] {
            let ga = try a.withUnsafeBytes { try Preview.render($0, options: options).1 }
            let gb = try b.withUnsafeBytes { try Preview.render($0, options: options).1 }
            #expect(ga == gb, "\(name) differs from \(twin)")
        }
    }

    /// Rasters (pixel output) of a non-interlaced PNG stream row by row (no grid kept);
    /// an Adam7 twin's rows come in passes, so it takes the whole grid: both must give the
    /// same pixels, at full size and scaled down.
    @Test(arguments: suiteCases(corrupt: false).filter { $0.hasPrefix("basi") || $0 == missingSuite })
    func interlacedRastersMatchTheirStreamedTwins(name: String) throws {
        try #require(name != missingSuite, "\(name)")
        let twin = "basn" + name.dropFirst(4)
        let a = try #require(Fixtures.read(pngSuite + "/" + name)), b = try #require(Fixtures.read(pngSuite + "/" + twin))
        for (w, h) in [(32, 32), (13, 7), (5, 30)] {
            let ra = try a.withUnsafeBytes { try Preview.raster($0, boxWidth: w, boxHeight: h, options: PreviewOptions()).1 }
            let rb = try b.withUnsafeBytes { try Preview.raster($0, boxWidth: w, boxHeight: h, options: PreviewOptions()).1 }
            #expect(ra.width == rb.width && ra.height == rb.height && ra.rgb == rb.rgb, "\(name) differs from \(twin) at \(w)x\(h)")
            #expect(ra.width <= w && ra.height <= h && ra.width * ra.height > 0)
        }
    }
}
