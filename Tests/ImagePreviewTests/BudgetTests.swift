import CTurboJPEG
import ImagePreview
import Testing
import TestSupport

/// Images that would need the whole picture in memory are measured from their header
/// and refused above the budget, before anything is allocated.
@Suite struct BudgetTests {
    func refusal(_ bytes: [UInt8], _ options: PreviewOptions = PreviewOptions()) -> String? {
        do {
            _ = try bytes.withUnsafeBytes { try Preview.render($0, options: options) }
            return nil
        } catch let ImageError.decodeFailed(_, message) {
            return message
        } catch {
            return "\(error)"
        }
    }

    @Test func anInterlacedGiantNeedsOnlyRows() {
        // 10000 x 10000, 16-bit RGBA, Adam7: summed pass by pass into the grid, so the
        // estimate is a ring of rows, within the budget; it fails only for its missing data.
        let header = PNGWriter.encode(width: 1, height: 1, colorType: 6, bitDepth: 16, rows: [[UInt8](repeating: 0, count: 8)],
                                      declaredWidth: 10000, declaredHeight: 10000, interlaced: true)
        #expect(refusal(header).map { !$0.contains("budget") } == true)
        // A small budget refuses it, naming the estimate.
        #expect(refusal(header, PreviewOptions(maxMemory: 1 << 20))
            == "decoding this interlaced 10000x10000 PNG would need about 2 MiB, over the 1 MiB budget")
    }

    @Test func aProgressiveJPEGIsMeasuredByItsCoefficients() throws {
        let pixel: (Int, Int) -> (UInt8, UInt8, UInt8) = { x, y in (UInt8(x & 255), UInt8(y & 255), 128) }
        let progressive = jpeg(width: 1000, height: 1000, flags: Int32(TJFLAG_PROGRESSIVE), pixel)
        let baseline = jpeg(width: 1000, height: 1000, pixel)
        let small = PreviewOptions(maxMemory: 1 << 20)
        #expect(refusal(progressive, small) == "decoding this progressive 1000x1000 JPEG would need about 5 MiB, over the 1 MiB budget")
        #expect(refusal(baseline, small) == nil)  // DCT-scaled output only
        #expect(refusal(progressive) == nil)      // within the default budget
        let info = try progressive.withUnsafeBytes { try Preview.inspect($0) }
        #expect(info.interlaced)  // progressive is now told, from the frame header
    }

    /// A JPEG decode stops when asked to (between scans and rows), like a PNG decode.
    @Test func aJPEGDecodeIsCancellable() {
        let progressive = jpeg(width: 800, height: 600, flags: Int32(TJFLAG_PROGRESSIVE)) { x, y in (UInt8(x & 255), UInt8(y & 255), 9) }
        var asked = 0
        let message: String?
        do {
            _ = try progressive.withUnsafeBytes {
                try Preview.render($0, options: PreviewOptions(), cancelled: { asked += 1; return true })
            }
            message = nil
        } catch let ImageError.decodeFailed(_, m) {
            message = m
        } catch {
            message = "\(error)"
        }
        #expect(message == "cancelled")
        #expect(asked >= 1)
    }

    /// One scan repeated hundreds of times (the CPU bomb of the trust-boundary issue) is
    /// refused after 500 scans.
    @Test func aJPEGWithEndlessScansIsRefused() throws {
        let base = jpeg(width: 64, height: 64, flags: Int32(TJFLAG_PROGRESSIVE)) { x, y in (UInt8(x * 4), UInt8(y * 4), 50) }
        // The last scan runs from the last SOS marker to EOI at the very end.
        let sos = try #require((0 ..< base.count - 1).last { base[$0] == 0xFF && base[$0 + 1] == 0xDA })
        #expect(base.suffix(2) == [0xFF, 0xD9])
        let lastScan = Array(base[sos ..< base.count - 2])
        var bomb = Array(base[..<(base.count - 2)])
        for _ in 0 ..< 600 { bomb += lastScan }
        bomb += [0xFF, 0xD9]
        #expect(refusal(bomb) == "more than 500 progressive scans (a decompression bomb?)")
        #expect(refusal(base) == nil)
    }
}
