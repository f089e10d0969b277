import SharedMemory

extension BlobSegment {
    /// Publishes an ImageData frame (label and content) with the engine alone, for the
    /// engine's tests: BlobTransfer's own `publishFrame` (with its frame-size errors) is
    /// tested in BlobTransferTests.
    @discardableResult
    func publishFrame(path: String, content: UnsafeRawBufferPointer) throws -> PublishReceipt {
        var prefix = [UInt8]()
        let p = Array(path.utf8)
        withUnsafeBytes(of: UInt32(p.count).littleEndian) { prefix += $0 }
        prefix += p
        withUnsafeBytes(of: UInt32(content.count).littleEndian) { prefix += $0 }
        let frame = prefix
        return try frame.withUnsafeBytes { raw in
            try publish(kind: .imageData, parts: [raw, content])
        }
    }
}

extension BlobKind {
    /// The kinds the engine's tests tag payloads with (the engine gives tags no meaning;
    /// BlobTransfer names these same numbers).
    static let imageData = BlobKind(rawValue: 1)
    static let testData = BlobKind(rawValue: 2)
}
