import TrailDetect
import TrailReader

/// Everything the HTML incident report shows: the findings (grouped by `Triage.groups`, the one grouping the terminal
/// views use too), the lineage that explains them, the activity counted for the timelines, and the run record.
public struct IncidentReport: Sendable {
    /// What was read to make the report, for its last section.
    public struct RunRecord: Sendable {
        /// `logs` (scanned now) or `state file` (findings a state file holds).
        public var source: String
        /// The paths named on the command line, or the state file.
        public var inputs: [String]
        public var summary: RunSummary
        public var rules: RuleLoadReport
        /// The files that were read, in discovery order (the report lists the first ones, and counts all).
        public var files: [String]

        public init(source: String, inputs: [String], summary: RunSummary, rules: RuleLoadReport, files: [String]) {
            self.source = source
            self.inputs = inputs
            self.summary = summary
            self.rules = rules
            self.files = files
        }
    }

    /// The size bound: how much of a big incident is drawn in full; the rest is counted.
    public struct Limits: Sendable {
        /// Identities with their own section (timeline, lineage, playbook, findings).
        public var identities = 30
        /// Verdict lines at the top.
        public var verdicts = 100
        /// Findings listed in full per identity.
        public var findingsPerIdentity = 20
        /// Evidence rows per finding.
        public var evidencePerFinding = 5
        /// Nodes per lineage graph, and children of one node drawn before "+N more".
        public var lineageNodes = 40
        public var childrenPerNode = 4
        /// Diagnostics, skipped rules and files listed in the run record.
        public var runRecordRows = 50

        public init() {}
    }

    public var title: String
    /// When the report was made (ISO 8601), and the cutoff time playbooks revoke sessions before.
    public var generatedAt: String
    public var findings: [Finding]
    public var lineage: LineageMap
    public var activity: Activity
    public var run: RunRecord
    public var catalog: [String: ContainmentAction]
    public var limits: Limits
    /// The product version for the page's footer.
    public var version: String

    public init(
        title: String = "trailhound incident report", generatedAt: String, findings: [Finding], lineage: LineageMap,
        activity: Activity, run: RunRecord, catalog: [String: ContainmentAction], limits: Limits = Limits(),
        version: String
    ) {
        self.title = title
        self.generatedAt = generatedAt
        self.findings = findings
        self.lineage = lineage
        self.activity = activity
        self.run = run
        self.catalog = catalog
        self.limits = limits
        self.version = version
    }

    /// The root identities whose timelines are drawn: the first `limits.identities` groups in triage order. Count
    /// their activity (`Activity.count`) before rendering.
    public static func drawnRoots(_ findings: [Finding], limits: Limits = Limits()) -> Set<RootIdentity> {
        Set(Triage.groups(findings).prefix(limits.identities).map(\.root))
    }

    /// The page.
    public func render() -> String { ReportPage(report: self).html().markup }
}
