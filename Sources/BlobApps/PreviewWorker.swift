import Glibc
import ImagePreview
import TerminalUI

/// What a preview request produced.
public enum PreviewResult: Sendable {
    /// Decoded and rendered.
    case ready(ImageInfo, CellGrid)
    /// Not an image this tool previews (format, size).
    case notImage(ImageFormat, Int)
    /// Decoding failed.
    case failed(String)
}

/// Decodes previews off the input path, one at a time; a newer request abandons the
/// one in progress (its decode is cancelled between rows).
final class PreviewWorker: @unchecked Sendable {
    struct Request: Sendable {
        var key: String
        var load: @Sendable () -> [UInt8]?
        var options: PreviewOptions
    }

    private var mutex = pthread_mutex_t()
    private var cond = pthread_cond_t()
    private var pending: Request?
    private var generation = 0
    private let deliver: @Sendable (String, PreviewResult) -> Void

    init(deliver: @escaping @Sendable (String, PreviewResult) -> Void) {
        self.deliver = deliver
        pthread_mutex_init(&mutex, nil)
        pthread_cond_init(&cond, nil)
        startThread { [self] in loop() }
    }

    /// Asks for a preview; any earlier request still running is abandoned.
    func request(_ r: Request) {
        pthread_mutex_lock(&mutex)
        pending = r
        generation += 1
        pthread_cond_signal(&cond)
        pthread_mutex_unlock(&mutex)
    }

    /// Abandons whatever is running.
    func cancel() {
        pthread_mutex_lock(&mutex)
        pending = nil
        generation += 1
        pthread_mutex_unlock(&mutex)
    }

    private func currentGeneration() -> Int {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return generation
    }

    private func loop() {
        while true {
            pthread_mutex_lock(&mutex)
            while pending == nil { pthread_cond_wait(&cond, &mutex) }
            let r = pending!
            pending = nil
            let mine = generation
            pthread_mutex_unlock(&mutex)
            let result = Self.render(r) { [self] in currentGeneration() != mine }
            if currentGeneration() == mine { deliver(r.key, result) }
        }
    }

    static func render(_ r: Request, cancelled: @escaping () -> Bool) -> PreviewResult {
        guard let bytes = r.load() else { return .failed("cannot read the file") }
        return bytes.withUnsafeBytes { raw in
            let format = ImageFormat.detect(raw)
            guard format.isPreviewable else { return .notImage(format, bytes.count) }
            do {
                let (info, grid) = try Preview.render(raw, options: r.options, cancelled: cancelled)
                return .ready(info, grid)
            } catch {
                return .failed("\(error)")
            }
        }
    }
}

/// Draws a preview grid into a screen region.
enum PreviewPainter {
    static func paint(_ grid: CellGrid, into screen: inout Screen, x: Int, y: Int) {
        for gy in 0 ..< grid.height {
            for gx in 0 ..< grid.width {
                let c = grid[gx, gy]
                var style = Style.plain
                if let fg = c.foreground { style.foreground = Palette.nearest(fg.r, fg.g, fg.b) }
                if let bg = c.background { style.background = Palette.nearest(bg.r, bg.g, bg.b) }
                screen[x + gx, y + gy] = ScreenCell(c.character, style)
            }
        }
    }

    /// Preview options for a box on a terminal with these capabilities.
    static func options(columns: Int, rows: Int, blocks: Bool, capabilities: Capabilities) -> PreviewOptions {
        let useBlocks = blocks && capabilities.unicode && capabilities.colors > 0
        return PreviewOptions(columns: max(columns, 1), rows: max(rows, 1), mode: useBlocks ? .blocks : .ascii,
                              color: useBlocks ? .palette256 : .none)
    }
}
