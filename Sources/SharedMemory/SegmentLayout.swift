import CBlobSegment

/// Where everything lies in a segment, taken from the C header `blob_segment.h`
/// (the one definition C programs compile against), never retyped here.
enum SegmentLayout {
    typealias Header = blob_segment_header
    typealias Slot = blob_slot

    static let magic = UInt64(BLOB_SEGMENT_MAGIC)
    static let version = UInt32(BLOB_SEGMENT_VERSION)
    static let headerSize = Int(BLOB_SEGMENT_HEADER_SIZE)
    static let dataOffset = Int(BLOB_SEGMENT_DATA_OFFSET)
    static let slotCount = Int(BLOB_SEGMENT_SLOT_COUNT)
    static let busy = UInt64.max

    static let magicOffset = MemoryLayout<Header>.offset(of: \Header.magic)!
    static let versionOffset = MemoryLayout<Header>.offset(of: \Header.version)!
    static let headerSizeOffset = MemoryLayout<Header>.offset(of: \Header.header_size)!
    static let capacityOffset = MemoryLayout<Header>.offset(of: \Header.capacity)!
    static let totalSizeOffset = MemoryLayout<Header>.offset(of: \Header.total_size)!
    static let publishedOffset = MemoryLayout<Header>.offset(of: \Header.published)!
    static let wakeOffset = MemoryLayout<Header>.offset(of: \Header.wake)!
    static let slotCountOffset = MemoryLayout<Header>.offset(of: \Header.slot_count)!
    static let waitersOffset = MemoryLayout<Header>.offset(of: \Header.waiters)!
    static let writerPidOffset = MemoryLayout<Header>.offset(of: \Header.writer_pid)!
    static let writerLockOffset = MemoryLayout<Header>.offset(of: \Header.writer_lock)!
    static let fillsOffset = MemoryLayout<Header>.offset(of: \Header.fills)!
    static let slotsOffset = MemoryLayout<Header>.offset(of: \Header.slots)!
    static let slotStride = MemoryLayout<Slot>.size

    static let slotSequence = MemoryLayout<Slot>.offset(of: \Slot.sequence)!
    static let slotPayloadOffset = MemoryLayout<Slot>.offset(of: \Slot.offset)!
    static let slotLength = MemoryLayout<Slot>.offset(of: \Slot.length)!
    static let slotChecksum = MemoryLayout<Slot>.offset(of: \Slot.checksum)!
    static let slotTime = MemoryLayout<Slot>.offset(of: \Slot.publish_time_ns)!
    static let slotPid = MemoryLayout<Slot>.offset(of: \Slot.writer_pid)!
    static let slotKind = MemoryLayout<Slot>.offset(of: \Slot.kind)!
    static let slotProgress = MemoryLayout<Slot>.offset(of: \Slot.progress)!
    static let slotFill = MemoryLayout<Slot>.offset(of: \Slot.fill)!

    static func slotDescriptorOffset(_ index: Int) -> Int { slotsOffset + index * slotStride }

    static func payloadOffset(capacity: Int, slot: Int) -> Int {
        Int(blob_segment_slot_offset(UInt64(capacity), UInt32(slot)))
    }

    static func totalSize(capacity: Int) -> Int {
        Int(blob_segment_total_size(UInt64(capacity)))
    }
}
