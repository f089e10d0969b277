import BlobTransfer
import ImagePreview
import SafeText

/// Comparing a received file with a file on this machine by its pixels, for the reader
/// app's verdict and `blob-reader compare`: one place reads the file (one descriptor,
/// regular files only, at most ``fileLimit``) and hands both to ``PixelCompare``.
public enum PictureCheck {
    /// The largest file on disk read for a comparison.
    public static let fileLimit = 256 << 20

    /// Why a comparison could not be made.
    public enum Failure: Error, Equatable, Sendable, CustomStringConvertible {
        /// The file could not be read.
        case read(TransferError)
        /// The file is larger than ``fileLimit``.
        case tooLarge(path: String, bytes: Int, limit: Int)
        /// A side is not a PNG or JPEG: which side (as the sentence names it) and what it is.
        case notAnImage(side: String, kind: String)
        /// Either side does not decode within the budget.
        case image(ImageError)
        /// No file given and the label is not an absolute path.
        case relativeLabel(String)

        public var description: String {
            switch self {
            case let .read(e): return e.description
            case let .tooLarge(path, bytes, limit):
                return "'\(TerminalText.escape(path))' is \(ByteCount.human(bytes)), over the \(ByteCount.human(limit)) a comparison reads"
            case let .notAnImage(side, kind): return "cannot compare pixels: \(side) is \(kind), not a PNG or JPEG"
            case let .image(e): return "cannot compare pixels: \(e)"
            case let .relativeLabel(label):
                return "the path label '\(TerminalText.escape(label))' is relative (the writer's working directory is unknown): "
                    + "name the file to compare with, blob-reader compare FILE"
            }
        }
    }

    /// The file a comparison uses: `given`, or the label when it is absolute.
    public static func target(given: String?, label: String) -> Result<String, Failure> {
        if let given { return .success(given) }
        return label.hasPrefix("/") ? .success(label) : .failure(.relativeLabel(label))
    }

    /// Reads a file to compare (one descriptor, regular files only, at most ``fileLimit``).
    public static func readFile(_ path: String) -> Result<[UInt8], Failure> {
        let disk: (bytes: [UInt8], truncated: Bool, size: Int)
        do throws(TransferError) { disk = try Files.readHead(path, limit: fileLimit) } catch { return .failure(.read(error)) }
        if disk.truncated { return .failure(.tooLarge(path: path, bytes: disk.size, limit: fileLimit)) }
        return .success(disk.bytes)
    }

    /// Compares `content` (what arrived) with the file at `path`; `threshold` and
    /// `differencePicture` as ``PixelCompare/compare(received:disk:maxPixels:maxMemory:threshold:differencePicture:)``.
    public static func compare(_ content: [UInt8], with path: String, threshold: Int = 0,
                               differencePicture: Bool = false) -> Result<PixelComparison, Failure> {
        readFile(path).flatMap { disk in
            compare(content, disk, sides: ("the received blob", "the file on disk '\(TerminalText.escape(path))'"),
                    threshold: threshold, differencePicture: differencePicture)
        }
    }

    /// Compares two images' bytes; `sides` name them in a refusal ("the file 'a.txt' is
    /// text, not a PNG or JPEG").
    public static func compare(_ first: [UInt8], _ second: [UInt8], sides: (String, String), threshold: Int = 0,
                               differencePicture: Bool = false) -> Result<PixelComparison, Failure> {
        let same = first == second
        if !same {
            for (bytes, side) in [(first, sides.0), (second, sides.1)] where ImageFormat.detect(bytes) == .unknown {
                return .failure(.notAnImage(side: side, kind: ContentHead.kindName(of: bytes)))
            }
        }
        return first.withUnsafeBytes { a in
            second.withUnsafeBytes { b in
                do throws(ImageError) {
                    return .success(try PixelCompare.compare(received: a, disk: b, threshold: threshold,
                                                             differencePicture: differencePicture))
                } catch {
                    return .failure(.image(error))
                }
            }
        }
    }
}
