import Glibc
import Platform
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
