import SafeText

/// Sizes as people write and read them.
public enum ByteCount {
    /// Parses `10485760`, `64MiB`, `512KiB`, `1GiB` (powers of 1024), `10MB`, `500kB`
    /// (powers of 1000), `42B`; nil for anything else, and for 0 or less.
    public static func parse(_ text: String) -> Int? {
        let t = text.trimmingCharacters(in: " ")
        let digits = t.prefix { $0.isNumber }
        guard let number = Int(digits), number > 0 else { return nil }
        let unit = t.dropFirst(digits.count).trimmingCharacters(in: " ")
        let scale: Int
        switch unit {
        case "", "B": scale = 1
        case "KiB", "K", "k": scale = 1 << 10
        case "MiB", "M": scale = 1 << 20
        case "GiB", "G": scale = 1 << 30
        case "kB", "KB": scale = 1000
        case "MB": scale = 1_000_000
        case "GB": scale = 1_000_000_000
        default: return nil
        }
        let (value, overflow) = number.multipliedReportingOverflow(by: scale)
        return overflow ? nil : value
    }

    /// "1199 B", "1.2 KiB", "48.1 MiB", "10 MiB" (no ".0").
    public static func human(_ n: Int) -> String {
        if n < 1024 { return "\(n) B" }
        let units = ["KiB", "MiB", "GiB", "TiB"]
        var v = Double(n) / 1024
        var i = 0
        while v >= 1024 && i < units.count - 1 { v /= 1024; i += 1 }
        let tenths = Int((v * 10).rounded())
        return tenths % 10 == 0 ? "\(tenths / 10) \(units[i])" : "\(tenths / 10).\(tenths % 10) \(units[i])"
    }

    /// `n` as a `--capacity` value: `64MiB`, `512KiB`, `1GiB`, or plain bytes.
    public static func argument(_ n: Int) -> String {
        if n % (1 << 30) == 0 { return "\(n >> 30)GiB" }
        if n % (1 << 20) == 0 { return "\(n >> 20)MiB" }
        if n % (1 << 10) == 0 { return "\(n >> 10)KiB" }
        return String(n)
    }

    /// A capacity to suggest for `needed` bytes: the next power of two in MiB, as a
    /// `--capacity` value (`64MiB`).
    public static func suggestedCapacity(for needed: Int) -> String {
        var mib = 1
        while mib << 20 < needed { mib <<= 1 }
        return mib >= 1024 ? "\(mib >> 10)GiB" : "\(mib)MiB"
    }
}

extension String {
    fileprivate func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> String { String(self).trimmingCharacters(in: set) }
}

extension SegmentBacking {
    /// The flags that name this segment on a command line (empty for the default
    /// segment), for hints that the user can paste: ` --segment NAME`, ` --file PATH`.
    public var commandLineFlags: String {
        switch self {
        case let .sharedMemory(name): return name == .default ? "" : " --segment \(name.rawValue)"
        case let .file(path): return " --file \(ShellWord.quote(path))"
        }
    }
}

/// Shell quoting for hints the user may paste.
public enum ShellWord {
    /// `text` as one POSIX shell word: as is when it holds only safe characters, else in
    /// single quotes (control characters escaped first, so the hint stays printable).
    public static func quote(_ text: String) -> String {
        let safe = text.unicodeScalars.allSatisfy {
            ($0.value >= 0x30 && $0.value <= 0x39) || ($0.value >= 0x41 && $0.value <= 0x5A)
                || ($0.value >= 0x61 && $0.value <= 0x7A) || "/._-+:,@%=".unicodeScalars.contains($0)
        }
        if safe && !text.isEmpty { return text }
        return "'" + TerminalText.escape(text).replacingAll("'", with: "'\\''") + "'"
    }
}

extension String {
    fileprivate func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        for c in self { if c == target { out += replacement } else { out.append(c) } }
        return out
    }
}
