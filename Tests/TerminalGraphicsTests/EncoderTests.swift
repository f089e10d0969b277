import CSixel
import Glibc
import ImagePreview
import TerminalGraphics
import Testing
import TestSupport

/// A raster with smooth gradients and a few hard edges.
func testRaster(width: Int = 90, height: Int = 60) -> Raster {
    var rgb = [UInt8]()
    for y in 0 ..< height {
        for x in 0 ..< width {
            rgb += x < 10 ? [255, 255, 255] : [UInt8(x * 255 / width), UInt8(y * 255 / height), UInt8((x + y) % 128 + 64)]
        }
    }
    return Raster(width: width, height: height, rgb: rgb)
}

/// Decodes sixel with libsixel's own decoder: (width, height, RGB pixels).
func decodeSixel(_ bytes: [UInt8]) -> (Int, Int, [UInt8])? {
    var data = bytes
    var pixels: UnsafeMutablePointer<UInt8>?, palette: UnsafeMutablePointer<UInt8>?
    var w: Int32 = 0, h: Int32 = 0, n: Int32 = 0
    let rc = data.withUnsafeMutableBufferPointer { csixel_decode_raw($0.baseAddress, Int32($0.count), &pixels, &w, &h, &palette, &n) }
    guard rc == 0, let pixels, let palette else { return nil }
    defer { free(pixels); free(palette) }
    var rgb = [UInt8]()
    for i in 0 ..< Int(w * h) {
        let c = Int(pixels[i])
        rgb += [palette[c * 3], palette[c * 3 + 1], palette[c * 3 + 2]]
    }
    return (Int(w), Int(h), rgb)
}

/// Mean absolute channel difference of two RGB buffers over the first raster's area.
func meanError(_ a: Raster, _ b: [UInt8], bWidth: Int) -> Double {
    var sum = 0
    for y in 0 ..< a.height {
        for x in 0 ..< a.width {
            for c in 0 ..< 3 { sum += abs(Int(a.rgb[(y * a.width + x) * 3 + c]) - Int(b[(y * bWidth + x) * 3 + c])) }
        }
    }
    return Double(sum) / Double(a.width * a.height * 3)
}

@Suite struct EncoderTests {
    @Test func sixelDecodesBackToThePixels() throws {
        let raster = testRaster()
        let sixel = try #require(GraphicsEncoder.sixel(raster))
        #expect(sixel.starts(with: [0x1B, 0x50]))  // DCS
        #expect(sixel.suffix(2) == [0x1B, 0x5C])  // ST
        let (w, h, rgb) = try #require(decodeSixel(sixel))
        #expect(w == raster.width)
        #expect(h >= raster.height && h < raster.height + 6)  // sixel bands are 6 rows
        let error = meanError(raster, rgb, bWidth: w)
        // A 256-colour palette, dithering, and sixel's colours in whole percent.
        #expect(error < 8, "mean error \(error)/255")
        // The white bar stays white (within sixel's percent steps).
        #expect(rgb[0 ..< 3].allSatisfy { $0 >= 240 }, "\(Array(rgb[0 ..< 3]))")
    }

    @Test func kittyCarriesTheExactPixelsInChunks() throws {
        let raster = testRaster()
        let text = GraphicsEncoder.kitty(raster, id: 7)
        var payload = ""
        var chunks = 0
        for part in text.split(separator: "\u{1b}\\") {
            #expect(part.hasPrefix("\u{1b}_G"))
            let body = part.dropFirst(3)
            let semicolon = try #require(body.firstIndex(of: ";"))
            let control = body[..<semicolon]
            let data = body[body.index(after: semicolon)...]
            #expect(data.count <= 4096)
            if chunks == 0 { #expect(control.hasPrefix("a=T,f=24,s=90,v=60,i=7,q=2,m=1")) }
            payload += data
            chunks += 1
        }
        #expect(chunks == (90 * 60 * 3 * 4 / 3 + 4095) / 4096)
        #expect(text.hasSuffix("m=0;" + String(payload.suffix(from: payload.index(payload.startIndex, offsetBy: (chunks - 1) * 4096)))
                               + "\u{1b}\\"))
        #expect(Base64.decode(Substring(payload)) == raster.rgb)
        #expect(GraphicsEncoder.kittyDelete(id: 7) == "\u{1b}_Ga=d,d=I,i=7,q=2\u{1b}\\")
    }

    @Test func itermCarriesTheFileItself() throws {
        let png = try #require(Fixtures.read(Fixtures.packageRoot + "/Assets/sunset.png"))
        let text = GraphicsEncoder.iterm(file: png, columns: 30, rows: 12)
        #expect(text.hasPrefix("\u{1b}]1337;File=inline=1;size=\(png.count);width=30;height=12;preserveAspectRatio=1:"))
        #expect(text.hasSuffix("\u{07}"))
        let payload = text.split(separator: ":").last!.dropLast()
        #expect(Base64.decode(payload) == png)
    }

    @Test(arguments: [0, 1, 2, 3, 4, 5, 100, 1000])
    func base64RoundTrips(count: Int) {
        let bytes = Fixtures.bytes(count: count, seed: UInt64(count))
        #expect(Base64.decode(Substring(Base64.encode(bytes))) == bytes)
        #expect(Base64.encode(Array("Man".utf8)) == "TWFu" && Base64.encode(Array("Ma".utf8)) == "TWE=")
    }

    @Test func theRasterKeepsTheAspectAndNeverEnlarges() throws {
        #expect(Preview.rasterSize(width: 4000, height: 3000, boxWidth: 480, boxHeight: 312) == (416, 312))
        #expect(Preview.rasterSize(width: 160, height: 120, boxWidth: 800, boxHeight: 600) == (160, 120))
        let png = PNGWriter.rgb(width: 200, height: 100) { x, _ in x < 100 ? (0, 0, 0) : (255, 255, 255) }
        let (info, raster) = try png.withUnsafeBytes { try Preview.raster($0, boxWidth: 50, boxHeight: 50, options: PreviewOptions()) }
        #expect(info.width == 200)
        #expect(raster.width == 50 && raster.height == 25)
        #expect(Array(raster.rgb[0 ..< 3]) == [0, 0, 0])
        #expect(Array(raster.rgb[(49 * 3) ..< (50 * 3)]) == [255, 255, 255])
    }
}
