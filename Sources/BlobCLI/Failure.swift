import ArgumentParser
import BlobApps
import BlobTransfer
import ImagePreview

/// The one place that decides which exit status an error means.
public enum Failure {
    /// The exit status and the one-line message for any error a command throws; nil
    /// for ArgumentParser's own errors (help, parse and validation errors), which
    /// ``runMain(_:arguments:)`` reports the parser's way with status 64.
    public static func classify(_ error: any Error) -> (status: ExitStatus, message: String)? {
        switch error {
        case let e as CommandError:
            switch e {
            case .usage, .needsTerminal, .unknownTerminal, .noFileName: return (.usage, e.description)
            case .noPreview, .tooLargeToPreview: return (.unavailable, e.description)
            }
        case let e as TransferError:
            return (status(of: e), Remedy.message(for: e))
        case let e as SharedMemoryError:
            return (status(of: e), Remedy.message(for: .segment(e)))
        case let e as PictureCheck.Failure:
            switch e {
            case let .read(t): return (status(of: t), Remedy.message(for: t))
            case .tooLarge: return (.tooLarge, e.description)
            case .relativeLabel: return (.usage, e.description)
            case .image(.unsupported), .notAnImage: return (.unavailable, e.description)
            case .image: return (.corrupt, e.description)
            }
        case let e as ImageError:
            if case .unsupported = e { return (.unavailable, e.description) }
            return (.corrupt, e.description)
        default:
            return nil
        }
    }

    static func status(of error: TransferError) -> ExitStatus {
        switch error {
        case .emptyPath, .invalidRecord, .unknownLayout, .capacityMismatch: return .usage
        case .cannotRead, .isDirectory, .notRegularFile, .notADirectory, .cannotWrite, .outputExists, .noReader: return .io
        case .untrustedOutput, .outputChanged: return .untrusted
        case .outputStalled: return .timedOut
        case .frameTooLarge, .fileTooLarge: return .tooLarge
        case .nothingToRemove: return .missing
        case let .segment(e): return status(of: e)
        case .invalidFrame, .notAnArticleFrame, .notAFile, .notATestDataRecord, .recordSize: return .corrupt
        case .nothingPublished: return .missing
        }
    }

    static func status(of error: SharedMemoryError) -> ExitStatus {
        switch error {
        case .invalidName, .invalidCapacity: return .usage
        case .notFound: return .missing
        case .alreadyExists, .foreign, .corrupt, .checksumMismatch, .shrunk: return .corrupt
        case .tooLarge: return .tooLarge
        case .noSpace, .system, .incompletePayload: return .io
        case .timedOut, .lockTimedOut: return .timedOut
        case .untrusted: return .untrusted
        case .busy, .lockHeldByThisThread: return .software
        }
    }
}
