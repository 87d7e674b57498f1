import Foundation
import TrailDetect
import TrailReader
import TrailState

/// Where `contain --finding` and `report` take their findings from: a one-shot scan of logs, or the findings a state
/// file holds. Both come with the lineage that explains them and, for logs, the reading summary.
public struct LoadedFindings {
    public var findings: [Finding]
    public var lineage: LineageMap
    /// The files discovered (for a further pass over them, such as the report's activity counts); empty for a state file.
    public var files: [InputFile]
    /// Files and records read, skipped and set aside (empty for a state file).
    public var summary: RunSummary

    public enum LoadError: Error, CustomStringConvertible {
        case noStateFile(String)
        public var description: String {
            switch self {
            case .noStateFile(let path): return "no state file \(path)"
            }
        }
    }

    /// Every finding of a one-shot scan of `paths` (input problems are in the summary; the findings still come).
    /// Throws `Analysis.Incomplete` when the scan's spill file did not read back whole (the findings would be
    /// incomplete, and a report or a playbook must not be made from them).
    public static func scan(_ paths: [String], rules: RuleSet, options: ReaderOptions = ReaderOptions()) throws -> LoadedFindings {
        let discovery = Discovery(options: options).discover(paths)
        let outcome = OneShotScan(rules: rules, options: options).run(discovery)
        let findings = outcome.findings
        let unreadable = outcome.made.unreadable
        if unreadable > 0 { throw Analysis.Incomplete(unreadable: unreadable) }
        return LoadedFindings(findings: findings, lineage: outcome.lineage, files: discovery.files, summary: outcome.summary)
    }

    /// Every finding a state file holds, with the lineage it keeps. Reading never creates a state file.
    public static func state(_ path: String, rules: RuleSet, lockWait: Double = 10) throws -> LoadedFindings {
        guard FileManager.default.fileExists(atPath: path) else { throw LoadError.noStateFile(path) }
        let store = try StateStore(path: path, lockWait: lockWait)
        var lineage = LineageMap()
        for i in try store.issuances() { lineage.add(i) }
        let findings = try store.records().compactMap { FindingBuilder(record: $0, rules: rules)?.finding(rules, lineage: lineage) }
        return LoadedFindings(findings: findings, lineage: lineage, files: [], summary: RunSummary())
    }
}
