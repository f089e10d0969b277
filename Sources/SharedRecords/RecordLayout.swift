/// A record declared as an ordered list of fields, packed at 1-byte alignment:
/// declaration order is memory order, no padding anywhere (C's `#pragma pack(1)`).
///
/// ```swift
/// enum Playback {
///     static let timestamp = Field<Double>("Timestamp")
///     static let paused = Field<Int32>("PausedState")
///     static let input = BytesField("InputBuffer", size: 1024)
///     static let layout = RecordLayout("PlaybackStateData", [timestamp, paused, input])
/// }
/// ```
public struct RecordLayout: Sendable {
    /// The record's name, used as the C typedef.
    public let name: String
    /// The fields in memory order.
    public let fields: [FieldSpec]
    /// Each field's offset by name.
    public let offsets: [String: Int]
    /// Total size in bytes.
    public let size: Int

    /// Declares a layout; names must be unique C identifiers.
    public init(_ name: String, _ declarations: [any RecordFieldDeclaration]) {
        precondition(Self.isIdentifier(name), "record name '\(name)' is not a C identifier")
        var offsets = [String: Int]()
        var at = 0
        let specs = declarations.map(\.spec)
        for spec in specs {
            precondition(Self.isIdentifier(spec.name), "field name '\(spec.name)' is not a C identifier")
            precondition(offsets[spec.name] == nil, "field '\(spec.name)' is declared twice")
            offsets[spec.name] = at
            at += spec.size
        }
        self.name = name
        self.fields = specs
        self.offsets = offsets
        self.size = at
    }

    /// The offset of a declared field.
    public func offset(of name: String) -> Int {
        guard let o = offsets[name] else { preconditionFailure("record \(self.name) has no field '\(name)'") }
        return o
    }

    static func isIdentifier(_ s: String) -> Bool {
        guard let first = s.utf8.first, !(first >= 0x30 && first <= 0x39) else { return false }
        return s.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || $0 == 0x5F }
    }
}
