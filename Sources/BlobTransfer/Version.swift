/// The version both executables print for `--version` and the C library's `sb_version`:
/// one number for the package, set here and nowhere else (BlobCLI names it too).
public enum SharedBlobVersion {
    /// Semantic version of the package (commands, segment layout 2, library API).
    public static let current = "0.6.0"
}
