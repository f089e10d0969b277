import CBlobSegment

/// Where everything lies in a segment, taken from the C header `blob_segment.h`
/// (the one definition C programs compile against), never retyped here.
enum SegmentLayout {
    typealias Header = blob_segment_header
    typealias Slot = blob_slot

    // Computed from the C constants, so each folds into the code that uses it (a
    // `static let` of a value known only at run time, such as a key path's offset, is a
    // lazily initialised global that every access checks).
    static var magic: UInt64 { UInt64(BLOB_SEGMENT_MAGIC) }
    static var version: UInt32 { UInt32(BLOB_SEGMENT_VERSION) }
    static var headerSize: Int { Int(BLOB_SEGMENT_HEADER_SIZE) }
    static var dataOffset: Int { Int(BLOB_SEGMENT_DATA_OFFSET) }
    static var slotCount: Int { Int(BLOB_SEGMENT_SLOT_COUNT) }
    static var busy: UInt64 { UInt64.max }

    static var magicOffset: Int { Int(BLOB_OFFSET_MAGIC) }
    static var versionOffset: Int { Int(BLOB_OFFSET_VERSION) }
    static var headerSizeOffset: Int { Int(BLOB_OFFSET_HEADER_SIZE) }
    static var capacityOffset: Int { Int(BLOB_OFFSET_CAPACITY) }
    static var totalSizeOffset: Int { Int(BLOB_OFFSET_TOTAL_SIZE) }
    static var publishedOffset: Int { Int(BLOB_OFFSET_PUBLISHED) }
    static var wakeOffset: Int { Int(BLOB_OFFSET_WAKE) }
    static var slotCountOffset: Int { Int(BLOB_OFFSET_SLOT_COUNT) }
    static var waitersOffset: Int { Int(BLOB_OFFSET_WAITERS) }
    static var writerPidOffset: Int { Int(BLOB_OFFSET_WRITER_PID) }
    static var writerLockOffset: Int { Int(BLOB_OFFSET_WRITER_LOCK) }
    static var fillsOffset: Int { Int(BLOB_OFFSET_FILLS) }
    static var slotsOffset: Int { Int(BLOB_OFFSET_SLOTS) }
    static var slotStride: Int { Int(BLOB_SLOT_STRIDE) }

    static var slotSequence: Int { Int(BLOB_SLOT_OFFSET_SEQUENCE) }
    static var slotPayloadOffset: Int { Int(BLOB_SLOT_OFFSET_OFFSET) }
    static var slotLength: Int { Int(BLOB_SLOT_OFFSET_LENGTH) }
    static var slotChecksum: Int { Int(BLOB_SLOT_OFFSET_CHECKSUM) }
    static var slotTime: Int { Int(BLOB_SLOT_OFFSET_TIME) }
    static var slotPid: Int { Int(BLOB_SLOT_OFFSET_PID) }
    static var slotKind: Int { Int(BLOB_SLOT_OFFSET_KIND) }
    static var slotProgress: Int { Int(BLOB_SLOT_OFFSET_PROGRESS) }
    static var slotFill: Int { Int(BLOB_SLOT_OFFSET_FILL) }

    static func slotDescriptorOffset(_ index: Int) -> Int { slotsOffset + index * slotStride }

    static func payloadOffset(capacity: Int, slot: Int) -> Int {
        Int(blob_segment_slot_offset(UInt64(capacity), UInt32(slot)))
    }

    static func totalSize(capacity: Int) -> Int {
        Int(blob_segment_total_size(UInt64(capacity)))
    }
}
