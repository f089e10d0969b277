import Glibc

/// Writing to stdout and stderr without buffering surprises.
public enum Output {
    /// Prints a line on stdout.
    public static func line(_ text: String) {
        write(1, text + "\n")
    }

    /// Prints text on stdout as it is.
    public static func raw(_ text: String) {
        write(1, text)
    }

    /// Prints a line on stderr.
    public static func info(_ text: String) {
        write(2, text + "\n")
    }

    /// Prints `Error: message` on stderr.
    public static func error(_ message: String) {
        write(2, "Error: " + message + "\n")
    }

    private static func write(_ fd: Int32, _ text: String) {
        var text = text
        text.withUTF8 { buf in
            try? FileIO.writeAll(fd, UnsafeRawBufferPointer(buf), name: fd == 1 ? "stdout" : "stderr")
        }
    }

    /// A UTC ISO-8601 timestamp with milliseconds for nanoseconds since the epoch.
    public static func timestamp(nanoseconds: Int64) -> String {
        var t = time_t(nanoseconds / 1_000_000_000)
        var parts = tm()
        gmtime_r(&t, &parts)
        let ms = Int((nanoseconds % 1_000_000_000) / 1_000_000)
        func pad(_ v: Int32, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1, 2))-\(pad(parts.tm_mday, 2))T"
            + "\(pad(parts.tm_hour, 2)):\(pad(parts.tm_min, 2)):\(pad(parts.tm_sec, 2)).\(pad(Int32(ms), 3))Z"
    }
}
