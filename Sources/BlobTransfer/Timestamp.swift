/// Publish times as people read them.
public enum Timestamp {
    /// A UTC ISO-8601 timestamp with milliseconds (`2026-11-24T22:49:58.256Z`) for
    /// nanoseconds since the Unix epoch.
    public static func iso8601(nanoseconds: Int64) -> String {
        let parts = FS.utcParts(secondsSinceEpoch: Int(nanoseconds / 1_000_000_000))
        let ms = Int((nanoseconds % 1_000_000_000) / 1_000_000)
        func pad(_ v: Int, _ w: Int) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(Int(parts.tm_year) + 1900, 4))-\(pad(Int(parts.tm_mon) + 1, 2))-\(pad(Int(parts.tm_mday), 2))T"
            + "\(pad(Int(parts.tm_hour), 2)):\(pad(Int(parts.tm_min), 2)):\(pad(Int(parts.tm_sec), 2)).\(pad(ms, 3))Z"
    }
}
