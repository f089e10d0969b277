import SharedMemory
import BlobCodec

/// An error that ends a command: one sentence and an exit status.
public struct CLIError: Error, CustomStringConvertible {
    /// The sentence printed after `Error: `.
    public var message: String
    /// The process exit status.
    public var exit: BlobExit

    /// Creates an error.
    public init(_ message: String, exit: BlobExit) {
        self.message = message
        self.exit = exit
    }

    /// The sentence.
    public var description: String { message }

    /// Maps an engine error to its sentence and exit status.
    public init(_ error: SharedMemoryError) {
        let exit: BlobExit
        switch error {
        case .invalidName, .invalidCapacity: exit = .usage
        case .notFound: exit = .missingSegment
        case .alreadyExists, .foreign, .corrupt, .checksumMismatch: exit = .corrupt
        case .tooLarge: exit = .tooLarge
        case .noSpace: exit = .io
        case .timedOut: exit = .timedOut
        case .busy: exit = .software
        case .system: exit = .io
        }
        self.init(error.description, exit: exit)
    }

    /// Maps a frame decoding error (a blob whose bytes are not a valid frame).
    public init(_ error: BlobCodecError) {
        self.init("the published blob is not a valid ImageData frame: \(error)", exit: .corrupt)
    }
}
