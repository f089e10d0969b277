import Glibc
import SystemPackage

// The OS boundary of Platform: the calls more than one module makes, wrapped once here
// (the modules' own boundary files hold the calls only they make).

/// The process environment, read in one place for every module (the engine's test and
/// tuning switches, the terminal's `TERM`/`NO_COLOR`/`COLORTERM`, the download folder,
/// `--graphics`' variable). The corresponding C function is `getenv`.
public enum Environment {
    /// The variable's value, or nil when it is not set.
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}

/// This process, as the kernel sees it.
public enum CurrentProcess {
    /// The effective user id (whose files and segments are "mine"). The corresponding C
    /// function is `geteuid`.
    public static func effectiveUserID() -> uid_t { geteuid() }

    /// Sleeps for `duration`, the rest of it again after a signal (a settling time or a
    /// polling interval, never a way to wait for another process). The corresponding C
    /// function is `nanosleep`.
    public static func sleep(_ duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var t = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var left = timespec()
        while nanosleep(&t, &left) != 0 && errno == EINTR { t = left }
    }
}

extension FileDescriptor {
    /// What the descriptor refers to (type, owner, mode, size, inode). The corresponding
    /// C function is `fstat`.
    public func status() throws(SystemCallError) -> Glibc.stat {
        var st = Glibc.stat()
        _ = try retryingEINTR("fstat") { Glibc.fstat(rawValue, &st) }
        return st
    }

    /// Closes it, never retried (on Linux the descriptor is gone either way) and an error
    /// ignored (nothing is left to do about one). The corresponding C function is `close`.
    public func closeQuietly() { try? close() }
}
