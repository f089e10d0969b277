import BlobTransfer
import ImagePreview
import TerminalUI

/// Everything blob-reader's viewer knows: a plain value that ``ReaderProgram``'s
/// `reduce` changes and its `view` draws.
public struct ReaderState: Sendable {
    /// What was received last.
    public enum Content: Sendable {
        /// A file, verified, with the verdict against the file on disk.
        case file(ReceivedFile, DiskComparison)
        /// A TestData record.
        case record(TestDataValue, BlobMetadata)
    }

    /// The segment read.
    public let backing: SegmentBacking
    /// The segment's layout (ours, or the article's for its C# programs).
    public let format: SegmentFormat
    /// Where the save prompt proposes to save (the working directory at start).
    public let saveDirectory: String
    /// Whether watch mode starts with the app.
    let watchAtStart: Bool
    /// The last thing received.
    public internal(set) var content: Content?
    /// Whether the segment is known to be missing (the friendly screen).
    public internal(set) var segmentMissing = false
    /// Whether watch mode is on.
    public internal(set) var watching = false
    /// Coloured block previews instead of ASCII.
    public internal(set) var blocks = true
    /// The save prompt's text while it is open.
    public internal(set) var savePrompt: String?
    /// A path that exists, waiting for `y` (replace it) or `n` (back to the prompt).
    public internal(set) var saveConfirm: String?
    /// The status line.
    public internal(set) var status = "Press r to read the latest blob, w to watch."
    /// Whether the status line reports an error.
    public internal(set) var statusIsError = false
    /// Whether the key help covers the screen.
    public internal(set) var showHelp = false
    /// Whether the whole status message covers the screen (`m`).
    public internal(set) var showWholeStatus = false
    /// Whether the whole SHA-256 covers the screen (`y`, for narrow terminals).
    public internal(set) var showWholeHash = false
    /// Whether an overlay (help, the whole message, the whole hash) covers the screen: keys
    /// close it, and no image is drawn under it.
    public var overlayShown: Bool { showHelp || showWholeStatus || showWholeHash }
    /// The preview of the received content.
    public internal(set) var preview: PreviewSlot?
    /// The pixel comparison with the file on disk, when the bytes differ and both are
    /// images; `key` is the received content's XXH3 (a late result for older content is
    /// dropped), `result` nil while it runs.
    public internal(set) var pixels: (key: UInt64, result: Result<PixelComparison, PictureCheck.Failure>?)?
    /// The compare view (`d`): the received image, the file on disk and the difference,
    /// in place of the preview; nil when the preview is shown.
    public internal(set) var compare: CompareSlot?
    /// Whether the compare view is open.
    public var showDifferences: Bool { compare != nil }
    /// The terminal's size and capabilities, as last told.
    public internal(set) var size = ScreenSize(columns: 0, rows: 0)
    var capabilities = Capabilities.full
    /// Set by `q`; the runner then stops.
    public internal(set) var quit = false

    /// A viewer of `backing`; `watch` starts in watch mode.
    public init(backing: SegmentBacking, format: SegmentFormat = .blob, saveDirectory: String, watch: Bool = false) {
        self.backing = backing
        self.format = format
        self.saveDirectory = saveDirectory
        watchAtStart = watch
    }

    /// The sequence of what is shown, nil when nothing is (the article's layout numbers
    /// nothing: its blobs carry 0); watch mode reports newer ones.
    public var shownSequence: UInt64? {
        switch content {
        case let .file(file, _)?: return file.metadata.sequence
        case let .record(_, metadata)?: return metadata.sequence
        case nil: return nil
        }
    }

    /// The received file, if the last blob was one.
    public var receivedFile: ReceivedFile? {
        if case let .file(file, _)? = content { return file }
        return nil
    }
}

/// The reader's compare view: for which content (its XXH3), how it shows, what it
/// loaded and drew.
public struct CompareSlot: Sendable {
    /// The received content's XXH3 (a late result for older content is dropped).
    public var key: UInt64
    /// Side by side, or blinking.
    public var mode: CompareView.Mode
    /// Both images and their comparison; nil while loading.
    public var pictures: Result<CompareView.Pictures, PictureCheck.Failure>?
    /// What the panes were drawn for (sizes, mode, terminal) and, once drawn, each pane's
    /// picture.
    public var rendering: (key: String, results: [PreviewResult?]?)?
}

/// Where the viewer's parts go: five lines of facts from row 2, then the preview box.
struct ReaderLayout {
    static let factsTop = 2
    static let factLines = 5

    let tooSmall: Bool
    let previewTop: Int
    let previewBox: PreviewBox

    init(_ size: ScreenSize) {
        tooSmall = size.columns < 20 || size.rows < 5
        previewTop = Self.factsTop + Self.factLines + 1
        previewBox = PreviewBox(columns: size.columns - 2, rows: size.rows - 2 - previewTop, blocks: false)
    }
}
