import Glibc
import SystemPackage

/// A failed system call: its name (empty when the caller reports it otherwise) and errno.
/// The one error type of every module's OS boundary.
public struct SystemCallError: Error, Sendable {
    /// The C function that failed.
    public var call: String
    /// Why.
    public var errno: Errno

    public init(call: String = "", errno: Errno) {
        self.call = call
        self.errno = errno
    }

    /// The calling thread's errno, for `call`.
    public static func last(_ call: String = "") -> SystemCallError {
        SystemCallError(call: call, errno: Errno(rawValue: Glibc.errno))
    }
}

/// The one EINTR rule: retries `body` while it returns -1 with errno EINTR; returns its
/// result, or throws the errno of any other failure. Inlinable: every module's system
/// calls go through it, so it is specialised and inlined where it is called.
@inlinable @inline(__always)
public func retryingEINTR<T: BinaryInteger>(_ call: String = "", _ body: () -> T) throws(SystemCallError) -> T {
    while true {
        let r = body()
        if r != -1 { return r }
        let e = Errno(rawValue: Glibc.errno)
        if e != .interrupted { throw SystemCallError(call: call, errno: e) }
    }
}
