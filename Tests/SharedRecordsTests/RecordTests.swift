import Glibc
import SharedMemory
import SharedRecords
import Testing
import TestSupport

/// Records as a library: the seeds' sizes and offsets, the committed C header, fields at
/// odd offsets through real shared memory, refusals (moved from CLITests: one test target
/// per module).
@Suite struct RecordLibraryTests {
    @Test func theSeedsSizes() {
        #expect(PlaybackState.layout.size == 2084 && PlaybackState.layout.offset(of: "InputBuffer") == 36)
        #expect(ControllerData.layout.size == 1060)
        #expect(TestData.layout.size == 48 && TestData.layout.offset(of: "Scores") == 8)
    }

    @Test func theChildsCommittedHeaderIsTheGeneratedOne() throws {
        let committed = try #require(Fixtures.read(Fixtures.packageRoot + "/Sources/blob-ipc-child/ControllerData.h"))
        #expect(String(decoding: committed, as: UTF8.self) == CHeader.generate(ControllerData.layout))
    }

    @Test func fieldsRoundTripAtOddOffsetsInSharedMemory() throws {
        let tag = Field<Int8>("Tag")
        let d = Field<Double>("D")          // offset 1
        let h = Field<Int16>("H")           // offset 9
        let u = Field<UInt64>("U")          // offset 11
        let f = Field<Float>("F")           // offset 19
        let arr = ArrayField<Int32>("A", count: 3)  // offset 23
        let buf = BytesField("B", size: 5)  // offset 35
        let layout = RecordLayout("Odd", [tag, d, h, u, f, arr, buf])
        #expect(layout.size == 40)
        let name = Fixtures.uniqueSegmentName("odd")
        defer { Fixtures.removeSegment(name) }
        let backing = SegmentBacking.sharedMemory(try SegmentName(name))
        let writer = try Record(layout, segment: backing, mode: .createNew)
        writer[tag] = -5
        writer[d] = 3.25
        writer[h] = -12345
        writer[u] = 0x0102_0304_0506_0708
        writer[f] = 1.5
        try writer.set(arr, [7, -8, 9])
        try writer.set(buf, [1, 2, 3])
        let reader = try Record(layout, segment: backing, mode: .openExisting)
        #expect(reader[tag] == -5 && reader[d] == 3.25 && reader[h] == -12345)
        #expect(reader[u] == 0x0102_0304_0506_0708 && reader[f] == 1.5)
        #expect(reader[arr] == [7, -8, 9] && reader[buf] == [1, 2, 3, 0, 0])
        // Packed and little-endian at exactly the declared offsets.
        let raw = Fixtures.read("/dev/shm/" + name)!
        #expect(raw[11] == 0x08 && raw[18] == 0x01 && raw[9] == 0xC7 && raw[10] == 0xCF)
    }

    @Test func aTooLargeWriteIsAnErrorAndWritesNothing() throws {
        let r = Record(local: PlaybackState.layout)
        try r.set(PlaybackState.inputBuffer, string: "keep")
        #expect(throws: RecordError.bufferOverflow(field: "InputBuffer", capacity: 1024, given: 2000)) {
            try r.set(PlaybackState.inputBuffer, [UInt8](repeating: 1, count: 2000))
        }
        #expect(r.string(PlaybackState.inputBuffer) == "keep")
        #expect(r[PlaybackState.outputBuffer].allSatisfy { $0 == 0 })
        #expect(throws: RecordError.wrongCount(field: "Scores", expected: 10, given: 3)) {
            try TestData.make(scores: [1, 2, 3])
        }
    }

    @Test func aSegmentOfAnotherLayoutIsRefused() throws {
        let name = Fixtures.uniqueSegmentName("lay")
        defer { Fixtures.removeSegment(name) }
        let backing = SegmentBacking.sharedMemory(try SegmentName(name))
        _ = try Record(ControllerData.layout, segment: backing, mode: .createNew)
        #expect {
            try Record(PlaybackState.layout, segment: backing, mode: .createOrOpen)
        } throws: { error in
            guard case let .segment(.foreign(_, reason))? = error as? RecordError else { return false }
            return reason == "it is 1060 bytes but the layout needs 2084 (a different record layout?)"
        }
    }
}
