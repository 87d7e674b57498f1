/// What reading one file gave: how many records, and every problem met.
public struct FileReport: Sendable {
    public enum Status: String, Sendable {
        /// Read to the end without a problem.
        case read
        /// Some records were read, then a problem stopped or interrupted reading.
        case partial
        /// Nothing could be read.
        case failed
    }

    public let path: String
    public var status: Status = .read
    /// Records found that are CloudTrail events (delivered + filtered out by account, region or time).
    public var records = 0
    /// Records handed to the consumer.
    public var delivered = 0
    /// Records excluded by `--account`, `--region`, `--since` or `--until`.
    public var filtered = 0
    /// Of those, records excluded by `--where` (they passed the other filters).
    public var filteredByWhere = 0
    /// Values in a record position that are not CloudTrail events, or could not be read (too large,
    /// broken JSON Lines lines).
    public var rejected = 0
    /// CloudTrail events (counted in `records`) whose `eventTime` is not a time. They are delivered, but give no
    /// time to findings (first and last seen, containment cutoffs) and never pass a time filter.
    public var untimed = 0
    /// Events with a top-level key written with escapes (`"event\u004eame"`), which CloudTrail never writes: read
    /// as the names they decode to (as jq reads them), but a sign that the record was edited.
    public var escapedKeys = 0
    /// Times the envelope's `Records` (or `Events`) appeared again after the first (an edited file; every array's
    /// records are read).
    public var repeatedEnvelopes = 0
    /// Bytes read from the file.
    public var inputBytes = 0
    /// Bytes of JSON after inflating.
    public var jsonBytes = 0
    /// The first problems met (at most `maxKept`); `problemCount` counts them all.
    public var diagnostics: [Diagnostic] = []
    public var problemCount = 0

    public static let maxKept = 20

    public init(path: String) { self.path = path }

    mutating func add(_ d: Diagnostic) {
        problemCount += 1
        if diagnostics.count < Self.maxKept { diagnostics.append(d) }
    }
}
