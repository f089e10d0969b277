import Glibc
import Testing
import TestSupport

/// The SIGBUS guard (`Sources/CAtomics/mapping_guard.c`) compiled as a release build
/// compiles it: at each optimisation level, every guarded call on a mapping whose file
/// was truncated under it must report the shrink, never die of SIGBUS. (At -O1 and up
/// the optimiser once dropped the guard's set-up around memcpy/memcmp: only debug builds,
/// which the other tests use, were protected.)
@Suite struct GuardOptimisationTests {
    static let levels = ["-O0", "-O1", "-O2", "-O3", "-Os"]
    static let calls = [
        "copy-from", "copy-into", "xxh3", "xxh3-update", "stream-copy-into", "stream-copy-xxh3", "compare", "sha256-update", "live",
    ]

    @Test(arguments: levels)
    func everyGuardedCallReportsAShrunkMapping(level: String) throws {
        let dir = Fixtures.makeTempDirectory()
        defer { Fixtures.removeTree(dir) }
        let root = Fixtures.packageRoot
        let driver = dir + "/guard_driver"
        let build = Spawn.run("/usr/bin/env", [
            "clang", level, "-I", root + "/Sources/CAtomics/include", "-I", root + "/Sources/CCrypto/include",
            "-o", driver, root + "/Tests/Interop/Guard/guard_driver.c",
            root + "/Sources/CAtomics/mapping_guard.c", root + "/Sources/CCrypto/ccrypto.c",
            "-lxxhash", "-ldl", "-lpthread",
        ])
        try #require(build.status == 0, "clang \(level): \(build.err)")
        let run = Spawn.run(driver, [dir + "/mapped"])
        #expect(run.status == 0, "guard_driver built \(level) ended with status \(run.status) (135: SIGBUS)")
        let lines = run.out.split(separator: "\n").map(String.init)
        let answers = lines.map { $0.hasSuffix(" ok (not run: this CPU has no AVX2)") ? String($0.prefix { $0 != " " }) + " ok" : $0 }
        #expect(answers == Self.calls.map { $0 + " ok" }, "\(level): \(run.out)")
    }
}
