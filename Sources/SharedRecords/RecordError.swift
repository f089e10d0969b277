import SharedMemory

/// Why a record operation was refused.
public enum RecordError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A byte write longer than the buffer it targets.
    case bufferOverflow(field: String, capacity: Int, given: Int)
    /// An array write with the wrong element count.
    case wrongCount(field: String, expected: Int, given: Int)
    /// The segment could not be opened.
    case segment(SharedMemoryError)

    /// One sentence.
    public var description: String {
        switch self {
        case let .bufferOverflow(field, capacity, given):
            return "\(given) bytes do not fit the \(capacity)-byte field \(field)"
        case let .wrongCount(field, expected, given):
            return "field \(field) holds \(expected) elements, \(given) given"
        case let .segment(e): return e.description
        }
    }
}
