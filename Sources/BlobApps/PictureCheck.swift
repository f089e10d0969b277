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
        /// Either side is not a PNG or JPEG, or does not decode within the budget.
        case image(ImageError)
        /// No file given and the label is not an absolute path.
        case relativeLabel(String)

        public var description: String {
            switch self {
            case let .read(e): return e.description
            case let .tooLarge(path, bytes, limit):
                return "'\(TerminalText.escape(path))' is \(ByteCount.human(bytes)), over the \(ByteCount.human(limit)) a comparison reads"
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

    /// Compares `content` (what arrived) with the file at `path`.
    public static func compare(_ content: [UInt8], with path: String) -> Result<PixelComparison, Failure> {
        let disk: (bytes: [UInt8], truncated: Bool, size: Int)
        do throws(TransferError) { disk = try Files.readHead(path, limit: fileLimit) } catch { return .failure(.read(error)) }
        if disk.truncated { return .failure(.tooLarge(path: path, bytes: disk.size, limit: fileLimit)) }
        return content.withUnsafeBytes { received in
            disk.bytes.withUnsafeBytes { onDisk in
                do throws(ImageError) {
                    return .success(try PixelCompare.compare(received: received, disk: onDisk))
                } catch {
                    return .failure(.image(error))
                }
            }
        }
    }
}
