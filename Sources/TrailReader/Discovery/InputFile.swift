/// A file to read, with what its path says about it (S3 layout and CloudTrail's file name).
public struct InputFile: Sendable, Hashable {
    /// The path as walked (`-` for standard input), for people: bytes that are not UTF-8 are shown as `\xNN`.
    public let path: String
    /// The path's bytes as the file system has them (names need not be UTF-8), NUL-terminated, for opening.
    public let pathBytes: [UInt8]
    /// Account id from `AWSLogs/[o-org/]<account>/...` or from the file name.
    public let account: String?
    /// Region from `.../CloudTrail/<region>/...` or from the file name.
    public let region: String?
    /// The delivery time in the file name (`..._20261120T0005Z_...`), seconds since 1970.
    public let nameTime: Int64?
    /// The day from the `YYYY/MM/DD` folders, seconds since 1970 at midnight UTC.
    public let folderDay: Int64?

    public static let stdinPath = "-"

    public var isStdin: Bool { path == Self.stdinPath }

    public init(path: String, account: String? = nil, region: String? = nil, nameTime: Int64? = nil, folderDay: Int64? = nil) {
        self.init(pathBytes: Array(path.utf8), account: account, region: region, nameTime: nameTime, folderDay: folderDay)
    }

    /// A file named by raw bytes.
    public init(pathBytes: [UInt8], account: String? = nil, region: String? = nil, nameTime: Int64? = nil, folderDay: Int64? = nil) {
        self.path = Self.display(pathBytes)
        self.pathBytes = pathBytes + [0]
        self.account = account
        self.region = region
        self.nameTime = nameTime
        self.folderDay = folderDay
    }

    /// The time used to order files: the name's delivery time, else the folder's day.
    public var orderTime: Int64? { nameTime ?? folderDay }
}

/// A file the walk found but will not read, and why.
public struct SetAsideFile: Sendable, Hashable {
    public enum Reason: String, Sendable, CaseIterable {
        /// `CloudTrail-Digest` integrity files: not events.
        case digest = "digest"
        /// A name that is not a log file (`.txt`, hidden files, partial downloads).
        case notLogFile = "not a log file"
        /// Excluded by `--account`, `--region`, `--since` or `--until` from its path, before opening.
        case filtered = "filtered by path"
        /// Read by an earlier run (`--state`), unchanged since.
        case alreadyRead = "already read (state)"
    }
    public let path: String
    public let reason: Reason
}

extension InputFile {
    /// Path bytes as text: valid UTF-8 as it is, anything else as `\xNN`.
    public static func display(_ bytes: [UInt8]) -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var out = ""
        var k = 0
        while k < bytes.count {
            // Take the longest valid UTF-8 sequence starting here, else escape one byte.
            var taken = false
            for length in (1...4).reversed() where k + length <= bytes.count {
                if let s = String(validating: bytes[k..<(k + length)], as: UTF8.self), s.unicodeScalars.count == 1 {
                    out += s
                    k += length
                    taken = true
                    break
                }
            }
            if !taken {
                out += "\\x" + String(bytes[k], radix: 16, uppercase: true).leftPadded(2)
                k += 1
            }
        }
        return out
    }
}

extension String {
    func leftPadded(_ n: Int) -> String { count >= n ? self : String(repeating: "0", count: n - count) + self }
}
