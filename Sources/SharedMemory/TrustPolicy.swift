import Platform
import Synchronization

/// Whose segments this process accepts, and how it shares the ones it creates.
///
/// By default a segment (or `--file` object) must belong to the effective user and be
/// writable by nobody else: a segment planted by another local user could read what we
/// publish and forge what we read (its checksum proves nothing against a writer). Sharing
/// is an explicit choice: `sharedGroup` creates segments 0660 with that group and accepts
/// them group-writable; `trustedOwners` accepts segments of those users. Objects writable
/// by all users are never accepted.
public struct TrustPolicy: Equatable, Sendable {
    /// Users, besides the effective user, whose segments are accepted.
    public var trustedOwners: Set<UInt32>
    /// The group new segments are shared with (mode 0660), and whose write access is accepted.
    public var sharedGroup: UInt32?

    /// Creates a policy.
    public init(trustedOwners: Set<UInt32> = [], sharedGroup: UInt32? = nil) {
        self.trustedOwners = trustedOwners
        self.sharedGroup = sharedGroup
    }

    /// Only the effective user's own, private segments.
    public static let ownerOnly = TrustPolicy()

    private static let storage = Mutex(TrustPolicy.ownerOnly)

    /// The policy this process applies to every open; the command line sets it once,
    /// before opening anything.
    public static var current: TrustPolicy {
        get { storage.withLock { $0 } }
        set { storage.withLock { $0 = newValue } }
    }

    /// Why `st` is not acceptable, or nil when it is.
    func refusal(owner: UInt32, group: UInt32, mode: UInt32) -> String? {
        if owner != CurrentProcess.effectiveUserID() && !trustedOwners.contains(owner) {
            return "it belongs to user \(Sys.userName(owner)) (uid \(owner)), mode \(Self.octal(mode))"
        }
        if mode & 0o002 != 0 {
            return "any user may write it (mode \(Self.octal(mode)))"
        }
        if mode & 0o020 != 0 && group != sharedGroup {
            return "group \(Sys.groupName(group)) may write it (mode \(Self.octal(mode)))"
        }
        return nil
    }

    /// The mode new objects get.
    var creationMode: UInt32 { sharedGroup == nil ? 0o600 : 0o660 }

    static func octal(_ mode: UInt32) -> String {
        let s = String(mode & 0o7777, radix: 8)
        return String(repeating: "0", count: max(0, 4 - s.count)) + s
    }
}

extension TrustPolicy {
    /// A user id for `--trust-owner NAME|UID`; nil if there is no such user.
    public static func userID(named name: String) -> UInt32? { Sys.userID(named: name) }
    /// A group id for `--group NAME|GID`; nil if there is no such group.
    public static func groupID(named name: String) -> UInt32? { Sys.groupID(named: name) }
}
