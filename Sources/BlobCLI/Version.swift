/// The version both executables print for `--version`: one number for the package, set
/// here and nowhere else.
public enum SharedBlobVersion {
    /// Semantic version of the package (commands, segment layout 1, library API).
    public static let current = "0.5.0"
}
