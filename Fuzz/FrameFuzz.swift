// libFuzzer target: the ImageData frame decoder on arbitrary bytes. Anything that
// decodes must re-encode to the same bytes; nothing may trap.
import BlobCodec

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let frame = try? BlobCodec.decode(bytes) {
        guard let again = try? BlobCodec.encode(frame), again.elementsEqual(bytes) else {
            fatalError("a decoded frame did not re-encode to the same bytes")
        }
    }
    return 0
}
