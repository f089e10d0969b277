import Foundation
import Glibc
import TestSupport

/// The built executables and a scratch segment per test.
struct CLI {
    static let writer = Fixtures.executable("blob-writer")
    static let reader = Fixtures.executable("blob-reader")
    static let bench = Fixtures.executable("blob-bench")
    static let helper = Fixtures.executable("blob-test-helper")
}

/// A segment name and temp folder owned by one test, removed at its end.
final class Scratch {
    let segment: String
    let dir: String
    init(_ tag: String = "cli") {
        segment = Fixtures.uniqueSegmentName(tag)
        dir = Fixtures.makeTempDirectory()
    }
    deinit {
        Fixtures.removeSegment(segment)
        Fixtures.removeTree(dir)
    }

    func put(_ file: String, _ extra: [String] = [], env: [String: String] = [:]) -> Spawn.Result {
        Spawn.run(CLI.writer, ["put", file, "--segment", segment] + extra, environment: env)
    }

    func get(_ extra: [String] = []) -> Spawn.Result {
        Spawn.run(CLI.reader, ["get", "--segment", segment] + extra)
    }

    func path(_ name: String) -> String { dir + "/" + name }
}

/// The assets shipped with the package.
let assetNames = ["sunset.png", "sunset.jpg", "checker-alpha.png", "gradient-gray.png"]
func asset(_ name: String) -> String { Fixtures.packageRoot + "/Assets/" + name }

extension String {
    /// The string without one trailing `suffix`, if it has one.
    func trimmingSuffix(_ suffix: String) -> String { hasSuffix(suffix) ? String(dropLast(suffix.count)) : self }
}

extension Substring {
    /// The substring without its leading characters that satisfy `predicate`.
    func trimmingPrefix(while predicate: (Character) -> Bool) -> Substring { drop(while: predicate) }
}
