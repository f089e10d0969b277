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

/// The one adapter from swift-system's calls (`FileDescriptor`'s methods, which throw
/// ``Errno`` untyped and retry EINTR themselves, the same rule as ``retryingEINTR(_:_:)``)
/// to the boundary's error: `call` names the C function.
@inlinable
public func systemCall<T>(_ call: String, _ body: () throws -> T) throws(SystemCallError) -> T {
    do {
        return try body()
    } catch let e as Errno {
        throw SystemCallError(call: call, errno: e)
    } catch {
        throw SystemCallError(call: call, errno: .ioError)  // swift-system throws only Errno
    }
}
