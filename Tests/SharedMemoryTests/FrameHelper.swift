import SharedMemory

extension BlobSegment {
    /// Publishes an ImageData frame (label and content) with the engine alone, for the
    /// engine's tests: BlobTransfer's own `publishFrame` (with its frame-size errors) is
    /// tested in BlobTransferTests.
    @discardableResult
    func publishFrame(path: String, content: UnsafeRawBufferPointer) throws -> PublishReceipt {
        let frame = try BlobCodecShim.encode(path: path, content: Array(content))
        return try frame.withUnsafeBytes { try publish(kind: .imageData, parts: [$0]) }
    }
}

extension BlobKind {
    /// The kinds the engine's tests tag payloads with (the engine gives tags no meaning;
    /// BlobTransfer names these same numbers).
    static let imageData = BlobKind(rawValue: 1)
    static let testData = BlobKind(rawValue: 2)
}
