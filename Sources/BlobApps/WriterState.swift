import BlobTransfer
import TerminalUI

/// Everything blob-writer's file picker knows: a plain value that ``WriterProgram``'s
/// `reduce` changes and its `view` draws.
public struct WriterState: Sendable {
    /// Where publishes go.
    public let backing: SegmentBacking
    /// The segment's layout (ours, or the article's for its C# programs).
    public let format: SegmentFormat
    /// Capacity per blob asked for on the command line (nil: the segment's own, or the
    /// default when a publish creates it).
    public let capacity: Int?
    /// The directory shown (absolute).
    public internal(set) var directory: String
    /// Everything in it, once listed.
    public internal(set) var entries: [DirectoryEntry] = [] {
        didSet { foldedNames = entries.map { Self.fold($0.name) } }
    }
    /// Lower-cased UTF-8 names, made once per listing so filtering 10,000 names per
    /// keystroke allocates nothing.
    var foldedNames: [[UInt8]] = []
    /// What the filters let through, in order.
    public internal(set) var visible: [DirectoryEntry] = []
    /// How many entries the hidden and images-only settings let through (what the name
    /// filter chooses from).
    public internal(set) var listable = 0
    /// How many entries the images-only setting hides, and how many the dot-file one.
    public internal(set) var hiddenByType = 0, hiddenAsDotFiles = 0
    /// Index into `visible` of the highlighted entry.
    public internal(set) var selection = 0
    /// First list row shown; kept so the highlight stays in view.
    public internal(set) var scroll = 0
    /// The name filter typed after `/`.
    public internal(set) var filter = ""
    /// Whether keys go to the filter.
    public internal(set) var editingFilter = false
    /// Images only (the default) or all files.
    public internal(set) var imagesOnly = true
    /// Whether dot files are listed.
    public internal(set) var showHidden = false
    /// Whether the key help covers the screen.
    public internal(set) var showHelp = false
    /// Whether the whole status message covers the screen (`m`).
    public internal(set) var showWholeStatus = false
    /// The status line.
    public internal(set) var status = "Pick an image and press Enter to publish it."
    /// Whether the status line reports an error.
    public internal(set) var statusIsError = false {
        didSet { statusShowsCount = false }
    }
    /// Whether the status line is the listing's count (kept true as the folder changes);
    /// any other message ends it.
    public internal(set) var statusShowsCount = false
    /// The preview of the highlighted file.
    public internal(set) var preview: PreviewSlot?
    /// The terminal's size and capabilities, as last told.
    public internal(set) var size = ScreenSize(columns: 0, rows: 0)
    var capabilities = Capabilities.full
    /// The preview box the layout gives at this size (0 x 0 when there is none).
    var previewBox = PreviewBox()
    /// Whether a watch on `directory`'s changes runs.
    var watchingDirectory = false
    /// Set by `q`; the runner then stops.
    public internal(set) var quit = false

    /// A picker on `directory` (absolute; the listing arrives as an effect's result).
    public init(directory: String, backing: SegmentBacking, format: SegmentFormat = .blob, capacity: Int? = nil) {
        self.directory = directory
        self.backing = backing
        self.format = format
        self.capacity = capacity
    }

    /// The highlighted entry.
    public var highlighted: DirectoryEntry? { visible.indices.contains(selection) ? visible[selection] : nil }

    /// The path of an entry of the shown directory.
    func path(of entry: DirectoryEntry) -> String { directory == "/" ? "/" + entry.name : directory + "/" + entry.name }

    /// ASCII-folded UTF-8 bytes of a name (non-ASCII letters match case-sensitively).
    static func fold(_ s: String) -> [UInt8] {
        s.utf8.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 32 : $0 }
    }
}

/// The size of the preview area and whether it shows coloured blocks.
struct PreviewBox: Equatable, Sendable {
    var columns = 0
    var rows = 0
    var blocks = false
}

/// Where the picker's parts go at a given size: one rule for `reduce` (which needs
/// the list height and the preview box) and `view` (which draws them).
struct WriterLayout {
    let listTop = 1
    let listRows: Int
    let listWidth: Int
    let showPreview: Bool
    let previewBox: PreviewBox
    let tooSmall: Bool

    init(_ size: ScreenSize, _ capabilities: Capabilities) {
        tooSmall = size.columns < 20 || size.rows < 5
        listRows = max(0, size.rows - 3)
        showPreview = size.columns >= 60
        listWidth = showPreview ? min(max(size.columns * 2 / 5, 30), size.columns - 24) : size.columns
        previewBox = showPreview
            ? PreviewBox(columns: size.columns - listWidth - 3, rows: listRows - 2,
                         blocks: capabilities.unicode && capabilities.colors > 0)
            : PreviewBox()
    }
}

extension WriterState {
    /// Shows the listing's count (``WriterProgram/countStatus(_:)``), which then follows
    /// the folder until another message replaces it.
    mutating func setCountStatus(_ message: String) {
        setStatus(message)
        statusShowsCount = true
    }
}
