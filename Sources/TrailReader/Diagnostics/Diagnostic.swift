/// A problem with the input, naming the file and, where it applies, the byte offset and record.
public struct Diagnostic: Sendable, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable, CaseIterable {
        case missingPath = "missing path"
        case unreadableFolder = "unreadable folder"
        case unreadable = "unreadable file"
        case notRegularFile = "not a regular file"
        case empty = "empty file"
        case truncatedGzip = "truncated gzip"
        case corruptGzip = "corrupt gzip"
        case trailingData = "trailing data"
        case inflateLimit = "inflate limit"
        case invalidJSON = "invalid JSON"
        case truncatedJSON = "truncated JSON"
        case tooDeep = "nesting too deep"
        case notCloudTrail = "not CloudTrail"
        case recordTooLarge = "record too large"
        case changedDuringRead = "changed during read"
        case invalidEventTime = "invalid eventTime"
        case escapedKey = "escaped key"
        case repeatedEnvelope = "Records repeated"
    }

    public var kind: Kind
    public var path: String
    /// Byte offset in the file's decompressed content (for gzip faults: bytes of compressed input consumed).
    public var offset: Int?
    /// Index of the record concerned (element of `Records`/`Events`, or line value for JSON Lines).
    public var recordIndex: Int?
    public var message: String

    public init(_ kind: Kind, path: String, offset: Int? = nil, recordIndex: Int? = nil, message: String) {
        self.kind = kind
        self.path = path
        self.offset = offset
        self.recordIndex = recordIndex
        self.message = message
    }

    public var description: String {
        var where_ = ""
        if let offset { where_ += " byte \(offset)" }
        if let recordIndex { where_ += "\(where_.isEmpty ? " " : ", ")record \(recordIndex)" }
        return "\(path):\(where_.isEmpty ? "" : where_ + ":") \(kind.rawValue): \(message)"
    }
}
