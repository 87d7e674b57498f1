/// A file to read, with what its path says about it (S3 layout and CloudTrail's file name).
public struct InputFile: Sendable, Hashable {
    /// The path as walked (`-` for standard input).
    public let path: String
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
        self.path = path
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
    }
    public let path: String
    public let reason: Reason
}
