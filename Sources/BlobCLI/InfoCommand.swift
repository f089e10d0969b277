import ArgumentParser
import BlobCodec
import SharedMemory

/// `blob-reader info`: the header and the latest blob's metadata, without copying content.
public struct InfoCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the segment header and the latest blob's metadata.")

    @OptionGroup var segment: SegmentOptions
    @Flag(help: "Print JSON.") var json = false

    public init() {}

    public func run() throws {
        try runReporting { () throws(CLIError) in
            let seg = try openSegment(try segment.backing(), mode: .openExisting)
            let info: SegmentInfo
            do throws(SharedMemoryError) { info = try seg.info() } catch { throw CLIError(error) }
            let fields = InfoFields(info)
            Output.line(json ? fields.json() : fields.text())
        }
    }
}

/// The ordered fields `info` prints, as text or JSON.
struct InfoFields {
    var pairs: [(String, Value)] = []

    enum Value {
        case string(String)
        case int(Int64)
        case uint(UInt64)
        case null
    }

    init(_ info: SegmentInfo) {
        switch info.backing {
        case let .sharedMemory(name):
            pairs.append(("segment", .string(name.rawValue)))
            pairs.append(("location", .string("/dev/shm/" + name.rawValue)))
        case let .file(path):
            pairs.append(("segment", .null))
            pairs.append(("location", .string(path)))
        }
        pairs.append(("layout_version", .uint(UInt64(info.version))))
        pairs.append(("header_size", .int(Int64(info.headerSize))))
        pairs.append(("capacity", .int(Int64(info.capacity))))
        pairs.append(("total_size", .int(Int64(info.totalSize))))
        pairs.append(("sequence", .uint(info.publishedSequence)))
        guard let latest = info.latest else {
            pairs.append(("kind", .null))
            return
        }
        pairs.append(("kind", .string(latest.kind.description)))
        pairs.append(("length", .int(Int64(latest.length))))
        pairs.append(("checksum_xxh3", .string(hex16(latest.checksum))))
        pairs.append(("published_at", .string(Output.timestamp(nanoseconds: latest.publishTimeNanoseconds))))
        pairs.append(("writer_pid", .int(Int64(latest.writerPID))))
        if latest.kind == .imageData {
            info.latestPrefix.withUnsafeBytes { raw in
                // The prefix is cut short of the content, so read the two length fields by hand.
                guard raw.count >= 4 else { return }
                let pathLength = Int(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 0, as: Int32.self)))
                guard pathLength >= 0, pathLength + 8 <= raw.count else { return }
                let path = String(decoding: raw[4 ..< 4 + pathLength], as: UTF8.self)
                let contentLength = Int32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 + pathLength, as: Int32.self))
                pairs.append(("path", .string(path)))
                pairs.append(("content_length", .int(Int64(contentLength))))
            }
        }
    }

    func text() -> String {
        pairs.map { key, value in
            let shown: String
            switch value {
            case let .string(s): shown = TerminalText.escape(s)
            case let .int(i): shown = String(i)
            case let .uint(u): shown = String(u)
            case .null: shown = "-"
            }
            return "\(key): \(shown)"
        }.joined(separator: "\n")
    }

    func json() -> String {
        let body = pairs.map { key, value in
            let shown: String
            switch value {
            case let .string(s): shown = jsonString(s)
            case let .int(i): shown = String(i)
            case let .uint(u): shown = String(u)
            case .null: shown = "null"
            }
            return "\"\(key)\":\(shown)"
        }.joined(separator: ",")
        return "{" + body + "}"
    }
}

func hex16(_ v: UInt64) -> String {
    let s = String(v, radix: 16)
    return String(repeating: "0", count: 16 - s.count) + s
}

/// A JSON string literal with every control character escaped.
func jsonString(_ s: String) -> String {
    var out = "\""
    for scalar in s.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        default:
            if scalar.value < 0x20 || scalar.value == 0x7F || (0x80 ..< 0xA0).contains(scalar.value) {
                let h = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
    }
    return out + "\""
}
