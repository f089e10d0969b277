/// A fixed-size scalar that can live in a packed record: its size comes from Swift and
/// its C spelling is what the generated header uses.
public protocol RecordScalar: Sendable {
    /// The C type in a generated header.
    static var cTypeName: String { get }
}

extension Int8: RecordScalar { public static var cTypeName: String { "int8_t" } }
extension Int16: RecordScalar { public static var cTypeName: String { "int16_t" } }
extension Int32: RecordScalar { public static var cTypeName: String { "int32_t" } }
extension Int64: RecordScalar { public static var cTypeName: String { "int64_t" } }
extension UInt8: RecordScalar { public static var cTypeName: String { "uint8_t" } }
extension UInt16: RecordScalar { public static var cTypeName: String { "uint16_t" } }
extension UInt32: RecordScalar { public static var cTypeName: String { "uint32_t" } }
extension UInt64: RecordScalar { public static var cTypeName: String { "uint64_t" } }
extension Float: RecordScalar { public static var cTypeName: String { "float" } }
extension Double: RecordScalar { public static var cTypeName: String { "double" } }

/// One field of a record declaration, as the layout sees it.
public struct FieldSpec: Equatable, Sendable {
    /// The field's name (a C identifier).
    public var name: String
    /// The C element type (`char` for byte buffers).
    public var cType: String
    /// Bytes per element.
    public var elementSize: Int
    /// Elements: 1 for a scalar, N for an array or a byte buffer.
    public var count: Int
    /// Whether it is declared as an array in C.
    public var isArray: Bool
    /// Total size in bytes.
    public var size: Int { elementSize * count }
}

/// Anything that can be listed in a ``RecordLayout``.
public protocol RecordFieldDeclaration: Sendable {
    /// The field as the layout sees it.
    var spec: FieldSpec { get }
}

/// A scalar field: `Field<Double>("Timestamp")`.
public struct Field<Value: RecordScalar>: RecordFieldDeclaration {
    /// The field's name.
    public let name: String
    /// Declares a field.
    public init(_ name: String) { self.name = name }
    /// The field as the layout sees it.
    public var spec: FieldSpec {
        FieldSpec(name: name, cType: Value.cTypeName, elementSize: MemoryLayout<Value>.size, count: 1, isArray: false)
    }
}

/// A fixed-length array of scalars: `ArrayField<Int32>("Scores", count: 10)`.
public struct ArrayField<Element: RecordScalar>: RecordFieldDeclaration {
    /// The field's name.
    public let name: String
    /// The element count.
    public let count: Int
    /// Declares an array field.
    public init(_ name: String, count: Int) {
        precondition(count >= 1, "an array field needs at least one element")
        self.name = name
        self.count = count
    }
    /// The field as the layout sees it.
    public var spec: FieldSpec {
        FieldSpec(name: name, cType: Element.cTypeName, elementSize: MemoryLayout<Element>.size, count: count, isArray: true)
    }
}

/// A fixed-size byte buffer (the seed's `[MemoryRegion(BufferSize = 1024)] byte[]`):
/// `BytesField("MessageBuffer", size: 1024)`, a `char[1024]` in C.
public struct BytesField: RecordFieldDeclaration {
    /// The field's name.
    public let name: String
    /// The buffer size in bytes.
    public let size: Int
    /// Declares a byte buffer.
    public init(_ name: String, size: Int) {
        precondition(size >= 1, "a byte buffer needs at least one byte")
        self.name = name
        self.size = size
    }
    /// The field as the layout sees it.
    public var spec: FieldSpec { FieldSpec(name: name, cType: "char", elementSize: 1, count: size, isArray: true) }
}
