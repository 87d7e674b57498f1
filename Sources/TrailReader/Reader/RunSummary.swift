/// Reconciles a run: every file seen is read, set aside or failed, and every record is delivered, filtered or
/// rejected, so nothing is ever dropped without a count.
public struct RunSummary: Sendable {
    public var filesRead = 0
    public var filesPartial = 0
    public var filesFailed = 0
    public var setAside: [SetAsideFile.Reason: Int] = [:]
    /// Paths or folders that could not be walked (missing, unreadable).
    public var walkProblems = 0
    public var records = 0
    public var delivered = 0
    public var filtered = 0
    /// Of those, records excluded by `--where`.
    public var filteredByWhere = 0
    public var rejected = 0
    /// Events whose `eventTime` is not a time (see `FileReport.untimed`).
    public var untimed = 0
    /// Events with a top-level key written with escapes (see `FileReport.escapedKeys`).
    public var escapedKeys = 0
    /// Files whose envelope held `Records` more than once (see `FileReport.repeatedEnvelopes`).
    public var repeatedEnvelopes = 0
    public var inputBytes = 0
    public var jsonBytes = 0
    /// Every diagnostic kept, in file order.
    public var diagnostics: [Diagnostic] = []
    /// Problems beyond those kept per file.
    public var unlistedProblems = 0

    public init() {}

    public init(discovery: Discovery.Result) {
        for file in discovery.setAside { setAside[file.reason, default: 0] += 1 }
        walkProblems = discovery.diagnostics.count
        diagnostics = discovery.diagnostics
    }

    public mutating func add(_ report: FileReport) {
        switch report.status {
        case .read: filesRead += 1
        case .partial: filesPartial += 1
        case .failed: filesFailed += 1
        }
        records += report.records
        delivered += report.delivered
        filtered += report.filtered
        filteredByWhere += report.filteredByWhere
        rejected += report.rejected
        untimed += report.untimed
        escapedKeys += report.escapedKeys
        repeatedEnvelopes += report.repeatedEnvelopes
        inputBytes += report.inputBytes
        jsonBytes += report.jsonBytes
        diagnostics += report.diagnostics
        unlistedProblems += report.problemCount - report.diagnostics.count
    }

    public var filesSetAside: Int { setAside.values.reduce(0, +) }
    public var filesSeen: Int { filesRead + filesPartial + filesFailed + filesSetAside }

    /// True when some input could not be read: a file failed or was read only in part, a record was rejected, an
    /// event's time could not be read, an event's keys or a file's envelope were written as CloudTrail never writes
    /// them, or a path could not be walked.
    public var hasInputProblems: Bool {
        filesPartial + filesFailed + walkProblems > 0 || rejected > 0 || untimed > 0 || escapedKeys > 0
            || repeatedEnvelopes > 0
    }
}
