/// A key press (or a resize), decoded from the terminal.
public enum Key: Equatable, Sendable {
    /// A printable character.
    case char(Unicode.Scalar)
    case up, down, left, right, pageUp, pageDown, home, end
    case enter, backspace, escape, tab, delete
    /// Ctrl plus a letter (`ctrl("c")`).
    case ctrl(Unicode.Scalar)
    /// The terminal changed size.
    case resize
    /// Any other key code.
    case other(Int32)

    /// Maps a raw character from the terminal (not a key code).
    public static func fromCharacter(_ value: UInt32) -> Key {
        switch value {
        case 10, 13: return .enter
        case 9: return .tab
        case 27: return .escape
        case 8, 127: return .backspace
        case 1 ... 26: return .ctrl(Unicode.Scalar(value + 96)!)
        default: return Unicode.Scalar(value).map { .char($0) } ?? .other(Int32(bitPattern: value))
        }
    }
}
