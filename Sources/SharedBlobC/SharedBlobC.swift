import BlobCodec
import BlobTransfer
import CSharedBlob
import SafeText
import SharedMemory

// libsharedblob: the C interface of `sharedblob.h`, a thin layer over the engine. Every
// function here catches the engine's typed errors, turns them into an `sb_status` and the
// thread's message (`sb_last_error`), and never lets a Swift error or trap cross into C
// for bad input: null pointers and bad names are SB_INVALID_ARGUMENT.

/// A segment handle: the engine's object, retained while C holds the pointer.
typealias Handle = Unmanaged<BlobSegment>

/// An open loan on the heap (C holds the pointer until commit or abandon).
final class LoanBox {
    var loan: SlotLoan?
    init(_ loan: consuming SlotLoan) { self.loan = consume loan }
}

/// Sets the thread's message and returns `status`.
func fail(_ status: sb_status, _ message: String) -> sb_status {
    sb_internal_set_error(message)
    return status
}

/// The status and message of an engine error.
func fail(_ error: SharedMemoryError) -> sb_status {
    let status: sb_status
    switch error {
    case .notFound: status = SB_NOT_FOUND
    case .alreadyExists: status = SB_EXISTS
    case .untrusted: status = SB_UNTRUSTED
    case .foreign: status = SB_NOT_A_SEGMENT
    case .corrupt: status = SB_CORRUPT
    case .checksumMismatch: status = SB_CHECKSUM
    case .tooLarge: status = SB_TOO_LARGE
    case .invalidName, .invalidCapacity: status = SB_INVALID_ARGUMENT
    case .noSpace, .system, .incompletePayload: status = SB_SYSTEM
    case .timedOut: status = SB_TIMED_OUT
    case .lockTimedOut: status = SB_LOCK_TIMED_OUT
    case .busy: status = SB_BUSY
    case .shrunk: status = SB_SHRUNK
    case .lockHeldByThisThread: status = SB_LOCK_HELD
    }
    return fail(status, error.description)
}

func fail(_ error: TransferError) -> sb_status {
    if case let .segment(e) = error { return fail(e) }
    switch error {
    case .frameTooLarge: return fail(SB_TOO_LARGE, error.description)
    default: return fail(SB_CORRUPT, error.description)
    }
}

func succeed() -> sb_status {
    sb_internal_set_error("")
    return SB_OK
}

func segment(_ pointer: OpaquePointer?) -> BlobSegment? {
    pointer.map { Handle.fromOpaque(UnsafeRawPointer($0)).takeUnretainedValue() }
}

func store(_ metadata: BlobMetadata, _ out: UnsafeMutablePointer<sb_metadata>?) {
    out?.pointee = sb_metadata(
        sequence: metadata.sequence, length: UInt64(metadata.length), checksum: metadata.checksum,
        publish_time_ns: metadata.publishTimeNanoseconds, writer_pid: metadata.writerPID, kind: metadata.kind.rawValue)
}

func mode(_ raw: sb_open_mode) -> BlobSegment.OpenMode? {
    switch raw {
    case SB_CREATE_NEW: return .createNew
    case SB_CREATE_OR_OPEN: return .createOrOpen
    case SB_OPEN_EXISTING: return .openExisting
    default: return nil
    }
}

func milliseconds(_ ms: Int64) -> Duration { .milliseconds(ms) }

func openSegment(_ backing: () throws(SharedMemoryError) -> SegmentBacking, _ rawMode: sb_open_mode, _ capacity: UInt64,
          _ out: UnsafeMutablePointer<OpaquePointer?>?) -> sb_status {
    guard let out else { return fail(SB_INVALID_ARGUMENT, "no place for the segment handle (out is NULL)") }
    out.pointee = nil
    guard let openMode = mode(rawMode) else { return fail(SB_INVALID_ARGUMENT, "unknown open mode \(rawMode.rawValue)") }
    guard capacity <= UInt64(BlobSegment.maxCapacity) else {
        return fail(SB_INVALID_ARGUMENT, "invalid capacity \(capacity): it must be between 1 and \(BlobSegment.maxCapacity) bytes")
    }
    do throws(SharedMemoryError) {
        let seg = try BlobSegment.open(try backing(), mode: openMode,
                                       capacity: capacity == 0 ? BlobSegment.defaultCapacity : Int(capacity))
        out.pointee = OpaquePointer(Handle.passRetained(seg).toOpaque())
        return succeed()
    } catch {
        return fail(error)
    }
}

@_cdecl("sb_terminal_text")
public func sb_terminal_text(_ text: UnsafePointer<CChar>?, _ length: Int, _ out: UnsafeMutablePointer<CChar>?,
                             _ capacity: Int, _ needed: UnsafeMutablePointer<Int>?) -> sb_status {
    guard text != nil || length == 0, let out, length >= 0, capacity >= 0 else {
        return fail(SB_INVALID_ARGUMENT, "a NULL text or output buffer")
    }
    let raw = UnsafeRawBufferPointer(start: text.map(UnsafeRawPointer.init), count: length)
    let escaped = Array(TerminalText.escape(RawPath.decode(raw)).utf8)
    needed?.pointee = escaped.count + 1
    guard escaped.count < capacity else {
        if capacity > 0 { out[0] = 0 }
        return fail(SB_TOO_LARGE, "the escaped text takes \(escaped.count + 1) bytes, the buffer has \(capacity)")
    }
    escaped.withUnsafeBytes { UnsafeMutableRawPointer(out).copyMemory(from: $0.baseAddress!, byteCount: escaped.count) }
    out[escaped.count] = 0
    return succeed()
}

@_cdecl("sb_version")
public func sb_version() -> UnsafePointer<CChar> { versionString }
nonisolated(unsafe) private let versionString: UnsafePointer<CChar> = {
    let bytes = Array(SharedBlobVersion.current.utf8CString)
    let p = UnsafeMutablePointer<CChar>.allocate(capacity: bytes.count)
    p.initialize(from: bytes, count: bytes.count)
    return UnsafePointer(p)
}()

@_cdecl("sb_trust_owner")
public func sb_trust_owner(_ uid: UInt32) -> sb_status {
    var policy = TrustPolicy.current
    policy.trustedOwners.insert(uid)
    TrustPolicy.current = policy
    return succeed()
}

@_cdecl("sb_trust_group")
public func sb_trust_group(_ gid: UInt32) -> sb_status {
    var policy = TrustPolicy.current
    policy.sharedGroup = gid
    TrustPolicy.current = policy
    return succeed()
}

@_cdecl("sb_open")
public func sb_open(_ name: UnsafePointer<CChar>?, _ rawMode: sb_open_mode, _ capacity: UInt64,
                    _ out: UnsafeMutablePointer<OpaquePointer?>?) -> sb_status {
    guard let name else { return fail(SB_INVALID_ARGUMENT, "no segment name (name is NULL)") }
    let text = String(cString: name)
    return openSegment({ () throws(SharedMemoryError) in .sharedMemory(try SegmentName(text)) }, rawMode, capacity, out)
}

@_cdecl("sb_open_file")
public func sb_open_file(_ path: UnsafePointer<CChar>?, _ rawMode: sb_open_mode, _ capacity: UInt64,
                         _ out: UnsafeMutablePointer<OpaquePointer?>?) -> sb_status {
    guard let path, path.pointee != 0 else { return fail(SB_INVALID_ARGUMENT, "no file path (path is NULL or empty)") }
    let text = String(cString: path)
    return openSegment({ () throws(SharedMemoryError) in .file(text) }, rawMode, capacity, out)
}

@_cdecl("sb_close")
public func sb_close(_ pointer: OpaquePointer?) {
    guard let pointer else { return }
    Handle.fromOpaque(UnsafeRawPointer(pointer)).release()
}

@_cdecl("sb_remove")
public func sb_remove(_ name: UnsafePointer<CChar>?) -> sb_status {
    guard let name else { return fail(SB_INVALID_ARGUMENT, "no segment name (name is NULL)") }
    do throws(SharedMemoryError) {
        try BlobSegment.remove(.sharedMemory(try SegmentName(String(cString: name))))
        return succeed()
    } catch {
        return fail(error)
    }
}

@_cdecl("sb_capacity")
public func sb_capacity(_ pointer: OpaquePointer?) -> UInt64 {
    segment(pointer).map { UInt64($0.capacity) } ?? 0
}

@_cdecl("sb_publish")
public func sb_publish(_ pointer: OpaquePointer?, _ data: UnsafeRawPointer?, _ length: Int,
                       _ path: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<sb_metadata>?) -> sb_status {
    guard let seg = segment(pointer) else { return fail(SB_INVALID_ARGUMENT, "no segment (NULL handle)") }
    guard length >= 0, data != nil || length == 0 else { return fail(SB_INVALID_ARGUMENT, "no data (data is NULL)") }
    let bytes = UnsafeRawBufferPointer(start: data, count: length)
    if let path {
        do throws(TransferError) {
            store(try seg.publishFrame(path: String(cString: path), content: bytes).metadata, out)
            return succeed()
        } catch {
            return fail(error)
        }
    }
    do throws(SharedMemoryError) {
        store(try seg.publish(kind: .bytes, bytes: bytes).metadata, out)
        return succeed()
    } catch {
        return fail(error)
    }
}

@_cdecl("sb_loan_begin")
public func sb_loan_begin(_ pointer: OpaquePointer?, _ length: Int, _ kind: UInt32, _ timeoutMs: Int64,
                          _ loanOut: UnsafeMutablePointer<OpaquePointer?>?,
                          _ bytesOut: UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> sb_status {
    guard let seg = segment(pointer), let loanOut, let bytesOut else {
        return fail(SB_INVALID_ARGUMENT, "a NULL handle or out pointer")
    }
    loanOut.pointee = nil
    bytesOut.pointee = nil
    guard length >= 0 else { return fail(SB_INVALID_ARGUMENT, "a negative length") }
    do throws(SharedMemoryError) {
        let timeout = timeoutMs < 0 ? BlobSegment.defaultLockTimeout : milliseconds(timeoutMs)
        let loan = try seg.loan(kind: BlobKind(rawValue: kind), length: length, lockTimeout: timeout)
        bytesOut.pointee = loan.bytes.baseAddress
        let box = LoanBox(loan)
        loanOut.pointee = OpaquePointer(Unmanaged.passRetained(box).toOpaque())
        return succeed()
    } catch {
        return fail(error)
    }
}

@_cdecl("sb_loan_commit")
public func sb_loan_commit(_ pointer: OpaquePointer?, _ count: Int, _ out: UnsafeMutablePointer<sb_metadata>?) -> sb_status {
    guard let pointer else { return fail(SB_INVALID_ARGUMENT, "no loan (NULL)") }
    let box = Unmanaged<LoanBox>.fromOpaque(UnsafeRawPointer(pointer)).takeRetainedValue()
    guard let loan = box.loan.take() else { return fail(SB_INVALID_ARGUMENT, "the loan was already ended") }
    do throws(SharedMemoryError) {
        store(try loan.commit(count: count).metadata, out)
        return succeed()
    } catch {
        return fail(error)
    }
}

@_cdecl("sb_loan_abandon")
public func sb_loan_abandon(_ pointer: OpaquePointer?) {
    guard let pointer else { return }
    let box = Unmanaged<LoanBox>.fromOpaque(UnsafeRawPointer(pointer)).takeRetainedValue()
    box.loan.take()?.abandon()
}

@_cdecl("sb_read")
public func sb_read(_ pointer: OpaquePointer?, _ buffer: UnsafeMutableRawPointer?, _ capacity: Int,
                    _ out: UnsafeMutablePointer<sb_metadata>?) -> sb_status {
    guard let seg = segment(pointer) else { return fail(SB_INVALID_ARGUMENT, "no segment (NULL handle)") }
    do throws(SharedMemoryError) {
        // Verified in place, copied out only if it fits and stayed stable.
        var tooLarge: BlobMetadata?
        var copyFailure: SharedMemoryError?
        let viewed = try seg.withVerifiedView { metadata, bytes -> Bool in
            guard metadata.length <= capacity, let buffer else {
                tooLarge = metadata
                return false
            }
            do throws(SharedMemoryError) { try seg.copy(bytes, to: buffer) } catch { copyFailure = error }
            return true
        }
        if let copyFailure { throw copyFailure }
        guard let viewed else { return fail(SB_NOTHING_PUBLISHED, "\(seg.backing) holds no blob yet") }
        store(viewed.metadata, out)
        if !viewed.result {
            let needed = tooLarge?.length ?? viewed.metadata.length
            return fail(SB_TOO_LARGE, "the blob is \(needed) bytes, the buffer holds \(capacity)")
        }
        return succeed()
    } catch {
        return fail(error)
    }
}

@_cdecl("sb_view_begin")
public func sb_view_begin(_ pointer: OpaquePointer?, _ view: UnsafeMutablePointer<sb_view>?) -> sb_status {
    guard let seg = segment(pointer), let view else { return fail(SB_INVALID_ARGUMENT, "a NULL handle or view") }
    view.pointee = sb_view()
    do throws(SharedMemoryError) {
        guard let held = try seg.beginVerifiedView() else { return fail(SB_NOTHING_PUBLISHED, "\(seg.backing) holds no blob yet") }
        fill(view, with: held)
        return succeed()
    } catch {
        return fail(error)
    }
}

@_cdecl("sb_view_after")
public func sb_view_after(_ pointer: OpaquePointer?, _ after: UInt64, _ timeoutMs: Int64, _ view: UnsafeMutablePointer<sb_view>?) -> sb_status {
    guard let seg = segment(pointer), let view else { return fail(SB_INVALID_ARGUMENT, "a NULL handle or view") }
    view.pointee = sb_view()
    do throws(SharedMemoryError) {
        let held = try seg.beginVerifiedView(after: after, timeout: timeoutMs < 0 ? nil : milliseconds(timeoutMs))
        fill(view, with: held)
        return succeed()
    } catch {
        return fail(error)
    }
}

/// Fills a `sb_view` with a held view: `internal_` is its slot, which with the sequence
/// is all `sb_view_end` needs (nothing is allocated, so nothing leaks if it is never
/// called, and a second call answers as the first).
private func fill(_ view: UnsafeMutablePointer<sb_view>, with held: HeldView) {
    view.pointee.bytes = held.bytes.baseAddress
    view.pointee.length = held.bytes.count
    store(held.metadata, &view.pointee.metadata)
    view.pointee.internal_ = held.slot
}

@_cdecl("sb_view_end")
public func sb_view_end(_ pointer: OpaquePointer?, _ view: UnsafePointer<sb_view>?) -> sb_status {
    guard let seg = segment(pointer), let view, let slot = view.pointee.internal_,
          let valid = seg.isStillValid(slot: slot, sequence: view.pointee.metadata.sequence) else {
        return fail(SB_INVALID_ARGUMENT, "a NULL handle, or a view that sb_view_begin did not fill on this segment")
    }
    if valid { return succeed() }
    return fail(SB_OVERWRITTEN, "blob \(view.pointee.metadata.sequence) was replaced while it was viewed; discard what was read and begin again")
}

@_cdecl("sb_wait")
public func sb_wait(_ pointer: OpaquePointer?, _ after: UInt64, _ timeoutMs: Int64, _ sequence: UnsafeMutablePointer<UInt64>?) -> sb_status {
    guard let seg = segment(pointer) else { return fail(SB_INVALID_ARGUMENT, "no segment (NULL handle)") }
    do throws(SharedMemoryError) {
        let next = try seg.waitForPublish(after: after, timeout: timeoutMs < 0 ? nil : milliseconds(timeoutMs))
        sequence?.pointee = next
        return succeed()
    } catch {
        return fail(error)
    }
}

@_cdecl("sb_latest")
public func sb_latest(_ pointer: OpaquePointer?, _ out: UnsafeMutablePointer<sb_metadata>?) -> sb_status {
    guard let seg = segment(pointer) else { return fail(SB_INVALID_ARGUMENT, "no segment (NULL handle)") }
    do throws(SharedMemoryError) {
        guard let latest = try seg.info().latest else { return fail(SB_NOTHING_PUBLISHED, "\(seg.backing) holds no blob yet") }
        store(latest, out)
        return succeed()
    } catch {
        return fail(error)
    }
}

@_cdecl("sb_frame_split")
public func sb_frame_split(_ frame: UnsafeRawPointer?, _ length: Int,
                           _ path: UnsafeMutablePointer<UnsafePointer<CChar>?>?, _ pathLength: UnsafeMutablePointer<Int>?,
                           _ content: UnsafeMutablePointer<UnsafeRawPointer?>?, _ contentLength: UnsafeMutablePointer<Int>?) -> sb_status {
    guard let frame, length >= 0, let path, let pathLength, let content, let contentLength else {
        return fail(SB_INVALID_ARGUMENT, "a NULL frame or out pointer")
    }
    do throws(BlobCodecError) {
        let bytes = UnsafeRawBufferPointer(start: frame, count: length)
        let ranges = try BlobCodec.ranges(of: bytes)
        _ = try BlobCodec.path(in: bytes, ranges: ranges)  // a label that is not UTF-8 is refused, as by blob-reader
        path.pointee = (frame + ranges.path.lowerBound).assumingMemoryBound(to: CChar.self)
        pathLength.pointee = ranges.path.count
        content.pointee = frame + ranges.content.lowerBound
        contentLength.pointee = ranges.content.count
        return succeed()
    } catch {
        return fail(SB_CORRUPT, "not an ImageData frame: \(error)")
    }
}
