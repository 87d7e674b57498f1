import TrailReader

extension AnalysisRun {
    /// The findings: the stateful rules' builders (kept for the state file) merged with the per-event ones, merged
    /// and rendered with the lineage.
    func gatherFindings() {
        result.statefulBuilders = stateful.order.map { stateful.builders[$0]! }
        findings.merge(result.statefulBuilders)
        result.findings = findings.findings(rules, lineage: result.lineage, threads: parallel.options.threads)
    }
}
