import Glibc

/// The process environment, read in one place for every module (the engine's test and
/// tuning switches, the terminal's `TERM`/`NO_COLOR`/`COLORTERM`, the download folder,
/// `--graphics`' variable). The corresponding C function is `getenv`.
public enum Environment {
    /// The variable's value, or nil when it is not set.
    public static func value(_ name: String) -> String? {
        getenv(name).map { String(cString: $0) }
    }
}
