import BlobTransfer

/// What to run about an error, as a command the user can paste: the one place the
/// commands' remedies are written. The library's errors state the problem; ``Failure``
/// appends these, naming `blob-writer` the way the user can run it (installed, or the
/// path of this build).
enum Remedy {
    /// The remedy for `error`, to follow its description; nil when there is none.
    static func text(for error: TransferError, writer: String = Output.commandName("blob-writer")) -> String? {
        switch error {
        case let .fileTooLarge(t):
            let flags = t.backing.commandLineFlags
            let put = "\(writer) put \(ShellWord.quote(t.file))\(flags) --capacity \(ByteCount.suggestedCapacity(for: t.frameLength))"
            return t.segmentExists ? "Recreate it larger: \(writer) rm\(flags) && \(put)" : put
        case let .capacityMismatch(backing, _, requested):
            let flags = backing.commandLineFlags
            return "Keep it (leave out --capacity) or recreate it: \(writer) rm\(flags) && \(writer) put FILE\(flags) "
                + "--capacity \(ByteCount.argument(requested))"
        case let .segment(.notFound(backing)):
            let flags = backing.commandLineFlags
            return "publish into it: \(writer) put FILE\(flags), or pick a file in \(writer)\(flags)"
        case let .segment(.untrusted(backing, _)):
            return "If it is not yours, have its owner or root remove it (\(writer) rm\(backing.commandLineFlags) --force); "
                + "to share on purpose, use --trust-owner USER or --group GROUP"
        case let .segment(.foreign(backing, _)):
            return "check the name; if the C# article's programs use it, add --layout article; "
                + "\(writer) put FILE\(backing.commandLineFlags) --force replaces it"
        case let .nothingPublished(backing, hint):
            return "run \(writer) \(hint)\(backing.commandLineFlags)"
        default:
            return nil
        }
    }

    /// `description` with its remedy, punctuated as the commands print it.
    static func message(for error: TransferError) -> String {
        let problem = error.description
        guard let remedy = text(for: error) else { return problem }
        switch error {
        case .fileTooLarge(let t) where t.segmentExists:
            return problem + ". " + remedy
        case .fileTooLarge:
            return problem + ": " + remedy
        case .capacityMismatch, .segment(.untrusted):
            return problem + ". " + remedy
        default:
            return problem + " (" + remedy + ")"
        }
    }
}
