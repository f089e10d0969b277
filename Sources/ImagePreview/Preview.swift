import CImage

/// Inspects and previews PNG (libpng) and JPEG (TurboJPEG) images as cell grids.
public enum Preview {
    /// The ASCII ramp from dark to bright: 7-bit characters, 15 levels.
    public static let ramp: [Unicode.Scalar] = Array(" .,:;i1tfLCG08@".unicodeScalars)
    /// Shades for blocks mode without colour, dark to bright.
    static let shades: [Unicode.Scalar] = [" ", "\u{2591}", "\u{2592}", "\u{2593}", "\u{2588}"]
    /// The upper-half block.
    static let upperHalf: Unicode.Scalar = "\u{2580}"

    /// Reads an image's header: format, size, depth, colour type. Other content yields
    /// ``ImageError/unsupported(_:)`` naming what it looks like.
    public static func inspect(_ bytes: UnsafeRawBufferPointer) throws(ImageError) -> ImageInfo {
        let format = ImageFormat.detect(bytes)
        var info = cimage_info()
        var err = [CChar](repeating: 0, count: 256)
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let rc: Int32
        switch format {
        case .png: rc = cimage_png_info(base, bytes.count, &info, &err, err.count)
        case .jpeg: rc = cimage_jpeg_info(base, bytes.count, &info, &err, err.count)
        default: throw .unsupported(format)
        }
        if rc != 0 { throw .decodeFailed(format: format, message: message(err)) }
        return makeInfo(format, info)
    }

    /// Decodes and renders an image into a grid that fits `options`' box.
    ///
    /// - Parameter cancelled: polled once per decoded row; returning true abandons the
    ///   decode (the call then throws `decodeFailed(..., "cancelled")`).
    public static func render(_ bytes: UnsafeRawBufferPointer, options: PreviewOptions,
                              cancelled: @escaping () -> Bool = { false }) throws(ImageError) -> (ImageInfo, CellGrid) {
        let info = try inspect(bytes)
        guard info.width > 0, info.height > 0 else { throw .decodeFailed(format: info.format, message: "empty image") }
        if info.width.multipliedReportingOverflow(by: info.height).overflow || info.width * info.height > options.maxPixels {
            throw .tooManyPixels(width: info.width, height: info.height, limit: options.maxPixels)
        }
        let sub = options.mode == .blocks ? 2 : 1
        let (cols, rows) = options.gridSize(width: info.width, height: info.height)
        let acc = try accumulate(bytes, info, columns: cols, pixelRows: rows * sub, options: options, cancelled: cancelled)
        return (info, paint(acc, columns: cols, rows: rows, options: options))
    }

    /// Decodes `bytes` (already inspected as `info`) row by row into a box filter of
    /// `columns` x `pixelRows` linear-light averages (JPEGs scaled in the DCT domain first).
    ///
    /// - Parameter finished: when given and the rows arrive in order (not an interlaced
    ///   PNG), each output row is handed to it as soon as it is complete and no grid is
    ///   kept (see ``Accumulator``); otherwise it is called for every row at the end.
    static func accumulate(_ bytes: UnsafeRawBufferPointer, _ info: ImageInfo, columns cols: Int, pixelRows: Int,
                           options: PreviewOptions, cancelled: @escaping () -> Bool,
                           finished: ((Accumulator, Int) -> Void)? = nil) throws(ImageError) -> Accumulator {
        var err = [CChar](repeating: 0, count: 256)
        var decoded = cimage_info()
        let base = bytes.baseAddress?.assumingMemoryBound(to: UInt8.self)
        let callback: cimage_row_fn = { ctx, y, row, channels, x0, dx, count in
            let acc = Unmanaged<Accumulator>.fromOpaque(ctx!).takeUnretainedValue()
            if acc.cancelled() { return 1 }
            acc.add(row: Int(y), pixels: row!, channels: Int(channels), x0: Int(x0), dx: Int(dx), count: Int(count))
            return 0
        }
        // JPEG: TurboJPEG scales in the DCT domain to the smallest of 1/8, 1/4, 1/2, 1
        // that keeps at least one pixel per cell (the C side applies the same rule).
        let (sw, sh) = info.format == .jpeg
            ? ImagePreview.jpegScaledSize(info.width, info.height, minWidth: cols, minHeight: pixelRows)
            : (info.width, info.height)
        let inOrder = info.format == .jpeg || !info.interlaced
        let acc = Accumulator(sourceWidth: sw, sourceHeight: sh, columns: cols, pixelRows: pixelRows,
                              streamingTo: inOrder ? finished : nil)
        acc.cancelled = cancelled
        let ctx = Unmanaged.passUnretained(acc).toOpaque()
        let rc: Int32 = withExtendedLifetime(acc) {
            if info.format == .png {
                return cimage_png_decode(base, bytes.count, UInt64(options.maxPixels), UInt64(options.maxMemory), callback, ctx,
                                         &decoded, &err, err.count)
            }
            var outW: UInt32 = 0, outH: UInt32 = 0
            let cancel: cimage_cancel_fn = { ctx in
                Unmanaged<Accumulator>.fromOpaque(ctx!).takeUnretainedValue().cancelled() ? 1 : 0
            }
            let r = cimage_jpeg_decode(base, bytes.count, UInt64(options.maxPixels), UInt64(options.maxMemory),
                                       UInt32(cols), UInt32(pixelRows),
                                       callback, cancel, ctx, &decoded, &outW, &outH, &err, err.count)
            precondition(r != 0 || (Int(outW) == sw && Int(outH) == sh), "JPEG scale rule disagrees with TurboJPEG")
            return r
        }
        if rc != 0 { throw .decodeFailed(format: info.format, message: message(err)) }
        guard acc.rowsSeen > 0 else {
            throw .decodeFailed(format: info.format, message: "no rows decoded")
        }
        guard !acc.outOfOrder else { throw .decodeFailed(format: info.format, message: "rows out of order") }
        if let finished {
            if inOrder { acc.finish() } else { for y in 0 ..< pixelRows { finished(acc, y) } }
        }
        return acc
    }

    /// Turns the accumulated averages into cells.
    static func paint(_ acc: Accumulator, columns: Int, rows: Int, options: PreviewOptions) -> CellGrid {
        let bg = (ColorMath.toLinear[Int(options.background.r)], ColorMath.toLinear[Int(options.background.g)],
                  ColorMath.toLinear[Int(options.background.b)])
        var grid = CellGrid(width: columns, height: rows)
        func luminance(_ c: (Float, Float, Float)) -> Float { 0.2126 * c.0 + 0.7152 * c.1 + 0.0722 * c.2 }
        func level(_ c: (Float, Float, Float), _ count: Int) -> Int {
            // Perceptual steps: index by the sRGB-encoded luminance, not the linear one.
            let v = Int(ColorMath.encode(luminance(c)))
            let i = (v * (count - 1) + 127) / 255
            return options.invert ? count - 1 - i : i
        }
        func srgb(_ c: (Float, Float, Float)) -> RGB {
            let color = RGB(ColorMath.encode(c.0), ColorMath.encode(c.1), ColorMath.encode(c.2))
            return options.color == .palette256 ? ColorMath.paletteColor(ColorMath.nearestPaletteIndex(color)) : color
        }
        // 8 and 16 colours: every half-cell pixel matched perceptually, dithered first.
        let small = options.mode == .blocks ? SmallPalette(options.color) : nil
        let matched = small.map { palette in
            palette.quantizeCells(columns: columns, rows: rows, dither: options.dither) { x, y in
                acc.linearColor(x: x, y: y, background: bg)
            }
        }
        for y in 0 ..< rows {
            for x in 0 ..< columns {
                switch options.mode {
                case .ascii:
                    let c = acc.linearColor(x: x, y: y, background: bg)
                    grid[x, y] = PreviewCell(ramp[level(c, ramp.count)])
                case .blocks:
                    let top = acc.linearColor(x: x, y: 2 * y, background: bg)
                    let bottom = acc.linearColor(x: x, y: 2 * y + 1, background: bg)
                    if options.color == .none {
                        let mean = ((top.0 + bottom.0) / 2, (top.1 + bottom.1) / 2, (top.2 + bottom.2) / 2)
                        grid[x, y] = PreviewCell(shades[level(mean, shades.count)])
                    } else if let small, let matched {
                        grid[x, y] = PreviewCell(upperHalf, foreground: small.colors[Int(matched[2 * y * columns + x])],
                                                 background: small.colors[Int(matched[(2 * y + 1) * columns + x])])
                    } else {
                        grid[x, y] = PreviewCell(upperHalf, foreground: srgb(top), background: srgb(bottom))
                    }
                }
            }
        }
        return grid
    }

    static func makeInfo(_ format: ImageFormat, _ i: cimage_info) -> ImageInfo {
        let colorType: String
        if format == .png {
            switch i.color_type {
            case 0: colorType = "grayscale"
            case 2: colorType = "RGB"
            case 3: colorType = "palette"
            case 4: colorType = "grayscale+alpha"
            case 6: colorType = "RGBA"
            default: colorType = "type \(i.color_type)"
            }
        } else {
            colorType = i.color_type == 1 ? "grayscale" : i.color_type == 4 ? "CMYK" : "YCbCr"
        }
        return ImageInfo(format: format, width: Int(i.width), height: Int(i.height), bitDepth: Int(i.bit_depth),
                         colorType: colorType, colorTypeCode: Int(i.color_type), interlaced: i.interlaced != 0,
                         hasTransparency: i.has_transparency != 0)
    }

    static func message(_ err: [CChar]) -> String {
        let s = String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return s.isEmpty ? "decoding failed" : s
    }
}

extension Preview {
    /// The size TurboJPEG decodes a `width` x `height` JPEG to for a grid needing at least
    /// `minWidth` x `minHeight` pixels: the smallest of 1/8, 1/4, 1/2, 1 (TJSCALED rounds up).
    public static func jpegScaledSize(width: Int, height: Int, minWidth: Int, minHeight: Int) -> (Int, Int) {
        ImagePreview.jpegScaledSize(width, height, minWidth: minWidth, minHeight: minHeight)
    }
}

func jpegScaledSize(_ width: Int, _ height: Int, minWidth: Int, minHeight: Int) -> (Int, Int) {
    for denom in [8, 4, 2, 1] {
        let w = (width + denom - 1) / denom, h = (height + denom - 1) / denom
        if w >= minWidth && h >= minHeight { return (w, h) }
    }
    return (width, height)
}
