import CSharedBlob
import SharedBlobC
import Testing
import TestSupport

/// The C interface called in process, as a C program would: create, publish raw bytes and
/// a labelled file, read them back with their metadata; errors as statuses with a message.
@Suite struct CInterfaceTests {
    @Test func publishAndReadThroughTheCInterface() throws {
        let name = Fixtures.uniqueSegmentName("sbc")
        defer { Fixtures.removeSegment(name) }
        var segment: OpaquePointer?
        #expect(sb_open(name, SB_CREATE_NEW, 1 << 16, &segment) == SB_OK)
        defer { sb_close(segment) }
        let bytes: [UInt8] = Array("hello from C".utf8)
        var meta = sb_metadata()
        #expect(bytes.withUnsafeBytes { sb_publish(segment, $0.baseAddress, $0.count, nil, &meta) } == SB_OK)
        #expect(meta.sequence == 1 && meta.kind == SB_KIND_BYTES)
        var buffer = [UInt8](repeating: 0, count: 64)
        var read = sb_metadata()
        #expect(buffer.withUnsafeMutableBytes { sb_read(segment, $0.baseAddress, $0.count, &read) } == SB_OK)
        #expect(Array(buffer.prefix(Int(read.length))) == bytes && read.sequence == 1)
        // Too small a buffer: a status and a message, nothing written past it.
        var small = [UInt8](repeating: 0, count: 4)
        #expect(small.withUnsafeMutableBytes { sb_read(segment, $0.baseAddress, $0.count, nil) } == SB_TOO_LARGE)
        #expect(!String(cString: sb_last_error()).isEmpty)
        // A length past the capacity is refused before a byte is read, however large (the
        // buffer holds 4 bytes: reading it as 2^62 would crash), labelled or not.
        for label in [nil, "/huge"] as [String?] {
            for length in [1 << 62, Int.max] {
                #expect(sb_publish(segment, small, length, label, nil) == SB_TOO_LARGE, "\(label ?? "raw") \(length)")
            }
        }
        // A second opener of a name that exists, asked to create it new.
        var again: OpaquePointer?
        #expect(sb_open(name, SB_CREATE_NEW, 1 << 16, &again) == SB_EXISTS && again == nil)
    }

    /// A view holds nothing: ending it twice answers twice, a reused slot says
    /// SB_OVERWRITTEN, and a view that this segment did not fill is refused.
    @Test func aViewEndsByItsSlotAndSequence() throws {
        let name = Fixtures.uniqueSegmentName("sbv"), other = Fixtures.uniqueSegmentName("sbw")
        defer { Fixtures.removeSegment(name); Fixtures.removeSegment(other) }
        var segment: OpaquePointer?, second: OpaquePointer?
        try #require(sb_open(name, SB_CREATE_NEW, 4096, &segment) == SB_OK)
        try #require(sb_open(other, SB_CREATE_NEW, 4096, &second) == SB_OK)
        defer { sb_close(segment); sb_close(second) }
        let bytes: [UInt8] = Array("viewed".utf8)
        func publish() -> sb_status { bytes.withUnsafeBytes { sb_publish(segment, $0.baseAddress, $0.count, nil, nil) } }
        try #require(publish() == SB_OK)
        var view = sb_view()
        try #require(sb_view_begin(segment, &view) == SB_OK)
        #expect(view.length == bytes.count && view.metadata.sequence == 1)
        #expect(sb_view_end(segment, &view) == SB_OK)
        #expect(sb_view_end(segment, &view) == SB_OK)  // again: the same answer, nothing freed twice
        #expect(sb_view_end(second, &view) == SB_INVALID_ARGUMENT)  // another segment's view
        var blank = sb_view()
        #expect(sb_view_end(segment, &blank) == SB_INVALID_ARGUMENT)
        try #require(publish() == SB_OK)  // the other slot
        #expect(sb_view_end(segment, &view) == SB_OK)
        try #require(publish() == SB_OK)  // the viewed slot, reused
        #expect(sb_view_end(segment, &view) == SB_OVERWRITTEN)
        #expect(String(cString: sb_last_error()).contains("replaced"))
    }

    /// Untrusted text comes out as blob-reader prints it: escape sequences, newlines, the
    /// backslash, C1 and bidi controls and bytes that are not UTF-8 escaped, within the
    /// stated 4 * len + 1 bytes; too small a buffer is SB_TOO_LARGE with "" in it.
    @Test func terminalTextEscapesWhatCouldDriveTheTerminal() throws {
        func escaped(_ bytes: [UInt8], capacity: Int? = nil) -> (sb_status, String, Int) {
            var out = [CChar](repeating: 0x41, count: capacity ?? 4 * bytes.count + 1)
            var needed = 0
            let status = bytes.withUnsafeBufferPointer { text in
                text.withMemoryRebound(to: CChar.self) { sb_terminal_text($0.baseAddress, $0.count, &out, out.count, &needed) }
            }
            return (status, out.isEmpty ? "" : String(cString: out), needed)
        }
        let hostile: [UInt8] = Array("/a\u{1b}]0;owned\u{07}\nb\\c\u{9b}2J\u{202e}d".utf8) + [0xFF, 0x00, 0x41]
        let (status, text, needed) = escaped(hostile)
        #expect(status == SB_OK)
        #expect(text == #"/a\x1b]0;owned\x07\nb\\c\u{9b}2J\u{202e}d\xff\x00A"#)
        #expect(needed == text.utf8.count + 1)
        #expect(escaped(Array("/photos/sunset.png".utf8)).1 == "/photos/sunset.png")
        // The stated bound holds for the costliest inputs: escaped controls, C1, U+2066, raw bytes.
        for worst: [UInt8] in [[0x1B], [0xC2, 0x9B], [0xE2, 0x81, 0xA6], [0x80], [0x5C]] {
            let many = Array([[UInt8]](repeating: worst, count: 50).joined())
            let (s, _, n) = escaped(many)
            #expect(s == SB_OK && n <= 4 * many.count + 1, "\(worst): \(n) bytes")
        }
        // A frame whose label is not UTF-8 does not split, as blob-reader refuses it.
        var frame: [UInt8] = [2, 0, 0, 0, 0xFF, 0xFE, 1, 0, 0, 0, 0x41]  // label length, label, content length, content
        var path: UnsafePointer<CChar>?, pathLength = 0, content: UnsafeRawPointer?, contentLength = 0
        #expect(sb_frame_split(&frame, frame.count, &path, &pathLength, &content, &contentLength) == SB_CORRUPT)
        frame[4] = 0x2F; frame[5] = 0x61
        #expect(sb_frame_split(&frame, frame.count, &path, &pathLength, &content, &contentLength) == SB_OK && contentLength == 1)
        let (small, emptied, wanted) = escaped(hostile, capacity: 8)
        #expect(small == SB_TOO_LARGE && emptied.isEmpty && wanted == needed)
        #expect(String(cString: sb_last_error()).contains("bytes"))
        #expect(escaped([], capacity: 1).0 == SB_OK)
        #expect(sb_terminal_text(nil, 3, nil, 0, nil) == SB_INVALID_ARGUMENT)
    }
}
