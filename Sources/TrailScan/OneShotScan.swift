import TrailDetect
import TrailReader

/// A scan without a state file (`scan`, and `contain --finding` over logs): reads every file discovered, evaluates
/// the rules over them, and gives the findings at or above the level asked for, with the reading summary.
public struct OneShotScan {
    /// What a scan gave.
    public struct Outcome {
        /// The findings at or above the level asked for, in output order, made when asked for (a writer makes,
        /// writes and drops them a batch at a time).
        public var made: FindingStream
        /// Every finding of `made`, made now (each call makes them again).
        public var findings: [Finding] { made.all() }
        /// How many rule evaluations were done.
        public var evaluated: Int
        /// Files and records read, skipped and set aside, with their diagnostics.
        public var summary: RunSummary
        /// The credential lineage the scan mapped (which key minted which session).
        public var lineage = LineageMap()
    }

    let rules: RuleSet
    let options: ReaderOptions
    let minLevel: SigmaRule.Level

    public init(rules: RuleSet, options: ReaderOptions, minLevel: SigmaRule.Level = .informational) {
        self.rules = rules
        self.options = options
        self.minLevel = minLevel
    }

    /// Discovers `paths` and scans what was found.
    public func run(paths: [String], report: (FileReport) -> Void = { _ in }) -> Outcome {
        run(Discovery(options: options).discover(paths), report: report)
    }

    /// Scans the files of `discovery`; `report` sees each file's report as it is read (for progress).
    public func run(_ discovery: Discovery.Result, report: (FileReport) -> Void = { _ in }) -> Outcome {
        var summary = RunSummary(discovery: discovery)
        let result = Analysis.run(discovery.files, rules: rules, using: ParallelReader(options: options)) { r in
            summary.add(r)
            report(r)
        }
        return Outcome(
            made: result.made.atLeast(minLevel), evaluated: result.evaluated, summary: summary, lineage: result.lineage)
    }
}
