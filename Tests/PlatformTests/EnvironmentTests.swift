import Glibc
import Platform
import SystemPackage
import Testing

/// The one environment reader: what is set, as set; what is not, nil.
@Suite(.serialized) struct EnvironmentTests {
    @Test func aSetVariableIsReadAndAnUnsetOneIsNil() {
        let name = "SHAREDBLOB_PLATFORM_TEST_\(getpid())"
        #expect(Environment.value(name) == nil)
        setenv(name, "a value with spaces and ü", 1)
        defer { unsetenv(name) }
        #expect(Environment.value(name) == "a value with spaces and ü")
        setenv(name, "", 1)
        #expect(Environment.value(name) == "", "set but empty is not unset")
    }
}

/// The one EINTR rule and error type: a failing call throws its name and errno.
@Suite struct SystemCallTests {
    @Test func aFailingCallThrowsItsNameAndErrno() {
        #expect {
            _ = try retryingEINTR("close") { close(-1) }
        } throws: { error in
            guard let e = error as? SystemCallError else { return false }
            return e.call == "close" && e.errno == .badFileDescriptor
        }
        #expect((try? retryingEINTR("getpid") { getpid() }) == getpid())
    }

    /// swift-system's calls (FileDescriptor's methods) come out as the same error, named.
    @Test func aFailingSwiftSystemCallThrowsTheSameError() {
        var byte: UInt8 = 0
        #expect {
            _ = try withUnsafeMutableBytes(of: &byte) { (b) throws(SystemCallError) in
                try systemCall("read") { try FileDescriptor(rawValue: -1).read(into: b) }
            }
        } throws: { error in
            guard let e = error as? SystemCallError else { return false }
            return e.call == "read" && e.errno == .badFileDescriptor
        }
        var fds: [Int32] = [-1, -1]
        #expect(pipe(&fds) == 0)
        defer { close(fds[0]); close(fds[1]) }
        let written = [UInt8]([7]).withUnsafeBytes { b in try? systemCall("write") { try FileDescriptor(rawValue: fds[1]).write(b) } }
        #expect(written == 1)
    }
}
