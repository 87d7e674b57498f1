import Foundation
import TrailReader

/// How tables show times (`--tz`): in UTC as CloudTrail writes them (`2026-11-20T10:05:00Z`, the default), or in
/// another zone as ISO 8601 with its offset (`2026-11-20T11:05:00+01:00`). JSON output always stays UTC.
public struct TableTime: Sendable {
    enum Zone: Sendable {
        case utc
        case fixed(seconds: Int)
        case named(TimeZone)
    }

    let zone: Zone

    public static let utc = TableTime(zone: .utc)

    init(zone: Zone) { self.zone = zone }

    public struct ParseError: Error, CustomStringConvertible {
        public let text: String
        public var description: String {
            "'\(TerminalText.sanitize(text))' is not a time zone: use UTC, local, an IANA name such as Europe/Berlin, or an offset such as +02:00"
        }
    }

    /// `UTC` (or `Z`), `local` (this machine's zone: `$TZ`, else the system's), an IANA name (`Europe/Berlin`), or a
    /// fixed offset (`+02:00`, `-0530`, `+2`).
    public init(parsing text: String) throws {
        switch text.lowercased() {
        case "utc", "z", "gmt", "+00:00", "-00:00", "+0000", "+00", "+0":
            zone = .utc
            return
        case "local":
            zone = .named(TimeZone.current)
            return
        default: break
        }
        if let first = text.first, first == "+" || first == "-" {
            let digits = text.dropFirst().filter { $0 != ":" }
            let hasColon = text.contains(":")
            guard digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber), !digits.isEmpty,
                !hasColon || text.dropFirst().split(separator: ":", omittingEmptySubsequences: false).map(\.count) == [2, 2]
            else { throw ParseError(text: text) }
            let (h, m): (Int, Int)
            switch digits.count {
            case 1, 2: (h, m) = (Int(digits)!, 0)
            case 4: (h, m) = (Int(digits.prefix(2))!, Int(digits.suffix(2))!)
            default: throw ParseError(text: text)
            }
            guard h <= 14, m < 60, h * 60 + m <= 14 * 60 else { throw ParseError(text: text) }
            let seconds = (h * 3600 + m * 60) * (first == "-" ? -1 : 1)
            zone = seconds == 0 ? .utc : .fixed(seconds: seconds)
            return
        }
        // An IANA name: letters, digits, `/`, `_`, `-`, `+` (Etc/GMT+2), and no path tricks.
        guard !text.isEmpty, text.count <= 64, !text.contains(".."),
            text.unicodeScalars.allSatisfy({ $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "/_-+".unicodeScalars.contains($0)) }),
            let named = TimeZone(identifier: text)
        else { throw ParseError(text: text) }
        zone = named.identifier == "UTC" || named.identifier == "GMT" ? .utc : .named(named)
    }

    public var isUTC: Bool {
        if case .utc = zone { return true }
        return false
    }

    /// A time given as seconds since 1970.
    public func format(seconds: Int64) -> String {
        let offset: Int
        switch zone {
        case .utc: return Timestamp.format(seconds)
        case .fixed(let s): offset = s
        case .named(let tz): offset = tz.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
        let local = Timestamp.format(seconds + Int64(offset))
        let sign = offset < 0 ? "-" : "+"
        let magnitude = abs(offset) / 60
        func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return String(local.dropLast()) + "\(sign)\(two(magnitude / 60)):\(two(magnitude % 60))"
    }

    /// A time as the logs and findings write it (`2026-11-20T10:05:00Z`); text that is not a time is returned as it
    /// is, and in UTC every time is returned as it is.
    public func format(_ text: String) -> String {
        if case .utc = zone { return text }
        guard let seconds = Timestamp.parse(text) else { return text }
        return format(seconds: seconds)
    }
}
