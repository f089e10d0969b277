import SharedMemory

/// A record living in shared memory: each field read and written in place, at any
/// offset (packed fields are unaligned; loads and stores here are unaligned-safe).
public final class Record: @unchecked Sendable {
    /// The layout.
    public let layout: RecordLayout
    /// The mapping it lives in (nil for a record in local memory).
    public let region: MappedRegion?
    /// The record's first byte.
    public let base: UnsafeMutableRawPointer
    private let owned: Bool

    /// Creates or opens the named segment for `layout`.
    ///
    /// - Throws: ``RecordError/segment(_:)`` wrapping ``SharedMemoryError/foreign(_:reason:)``
    ///   when the segment's size does not match the layout.
    public init(_ layout: RecordLayout, segment backing: SegmentBacking, mode: BlobSegment.OpenMode) throws(RecordError) {
        do throws(SharedMemoryError) {
            let region = try MappedRegion.open(backing, size: layout.size, mode: mode)
            self.layout = layout
            self.region = region
            self.base = region.base
            self.owned = false
        } catch {
            throw .segment(error)
        }
    }

    /// A zero-filled record in local memory (to build a payload before publishing it).
    public init(local layout: RecordLayout) {
        self.layout = layout
        region = nil
        base = UnsafeMutableRawPointer.allocate(byteCount: layout.size, alignment: 8)
        base.initializeMemory(as: UInt8.self, repeating: 0, count: layout.size)
        owned = true
    }

    deinit { if owned { base.deallocate() } }

    /// The record's bytes.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: layout.size) }

    /// Reads or writes a scalar field in place.
    public subscript<V: RecordScalar>(field: Field<V>) -> V {
        get { base.loadUnaligned(fromByteOffset: layout.offset(of: field.name), as: V.self) }
        set { base.storeBytes(of: newValue, toByteOffset: layout.offset(of: field.name), as: V.self) }
    }

    /// Reads an array field.
    public subscript<E: RecordScalar>(field: ArrayField<E>) -> [E] {
        let o = layout.offset(of: field.name)
        return (0 ..< field.count).map { base.loadUnaligned(fromByteOffset: o + $0 * MemoryLayout<E>.stride, as: E.self) }
    }

    /// Writes an array field; the count must match exactly.
    public func set<E: RecordScalar>(_ field: ArrayField<E>, _ values: [E]) throws(RecordError) {
        guard values.count == field.count else {
            throw .wrongCount(field: field.name, expected: field.count, given: values.count)
        }
        let o = layout.offset(of: field.name)
        for (i, v) in values.enumerated() { base.storeBytes(of: v, toByteOffset: o + i * MemoryLayout<E>.stride, as: E.self) }
    }

    /// Reads a byte buffer (all of it).
    public subscript(field: BytesField) -> [UInt8] {
        Array(UnsafeRawBufferPointer(start: base + layout.offset(of: field.name), count: field.size))
    }

    /// Reads a byte buffer as text up to its first NUL (as C's `%s` would).
    public func string(_ field: BytesField) -> String {
        let bytes = self[field]
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    /// Writes bytes into a buffer field and zero-fills the rest.
    ///
    /// - Throws: ``RecordError/bufferOverflow(field:capacity:given:)`` when `bytes` is
    ///   longer than the field; nothing is written then.
    public func set(_ field: BytesField, _ bytes: [UInt8]) throws(RecordError) {
        guard bytes.count <= field.size else {
            throw .bufferOverflow(field: field.name, capacity: field.size, given: bytes.count)
        }
        let p = base + layout.offset(of: field.name)
        bytes.withUnsafeBytes { p.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
        (p + bytes.count).initializeMemory(as: UInt8.self, repeating: 0, count: field.size - bytes.count)
    }

    /// Writes text (UTF-8) into a buffer field.
    public func set(_ field: BytesField, string: String) throws(RecordError) {
        try set(field, Array(string.utf8))
    }
}
