import TrailReader

extension AnalysisRun {
    /// The findings: the stateful rules' builders (kept for the state file) merged with the per-event ones, merged,
    /// to be made with the lineage when they are written.
    func gatherFindings() {
        result.stateful = stateful
        findings.merge(stateful)
        result.made = findings.stream(rules, lineage: result.lineage, threads: parallel.options.threads)
        // The stream shares the builders; the ids' index is no longer needed.
        findings = FindingSet()
    }
}
