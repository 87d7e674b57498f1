import TrailReader

/// A whole scan: the passes over the logs and what is decided between them.
///
/// 1. First pass, every new file, in parallel: per-event rules give findings; credential issuances (lineage), the
///    events that open and close windows (and absence rules' events and what they wait for), the matches correlation
///    rules count, and a fingerprint of the keys each file's events would join windows with are kept. These are rare
///    events or small records, so this costs little more than the per-event rules.
/// 2. Between the passes: lineage is merged; windows are built from the trigger events sorted by time; absence rules
///    and correlation rules are decided (a correlation's evidence is read back from its files).
/// 3. Second pass, only when a rule needs it, and only over the files whose fingerprint may meet an open window (every
///    file when a per-event rule reads `trailhound.origin.*`): rules whose events count only inside a window, and rules
///    that read lineage.
///
/// Everything is sorted or merged in an order that does not depend on the order files were named in or on threads.
/// For incremental runs (`--state`), a `Carryover` brings what earlier runs kept, and `onFile` receives each new
/// file's results to commit. Files an earlier run committed but did not finish analysing (it was killed between the
/// passes) are `unfinished`: they are not read again by the first pass (their results are in the carryover), but
/// count as new for the rest: their correlation groups are evaluated and the second pass reads them as it reads new
/// files.
///
/// Each pass is a file of `Passes/`; the types the state file keeps between runs are in `Persisted/`.
public enum Analysis {
    /// Runs the scan over `files`. Each new file's report goes to `report`; with `onFile`, each new file's results
    /// too, in file order. `earlier` are the files earlier runs read that are still there (read again only when a
    /// window that may meet them opens, or for a correlation's evidence); `unfinished` are the paths among them whose
    /// analysis an earlier run did not finish.
    public static func run(
        _ files: [InputFile], rules: RuleSet, using parallel: ParallelReader, carryover: Carryover = Carryover(),
        earlier: [InputFile] = [], unfinished: Set<String> = [], onFile: ((FileResult) -> Void)? = nil,
        report: (FileReport) -> Void
    ) -> Result {
        let scan = AnalysisRun(
            files, rules: rules, using: parallel, carryover: carryover, earlier: earlier, unfinished: unfinished)
        scan.firstPass(onFile: onFile, report: report)
        scan.stage("first")
        let (windows, outcomes) = scan.windowsAndCorrelations()
        scan.stage("between")
        scan.readEvidence(outcomes)
        scan.stage("evidence")
        scan.secondPass(windows)
        scan.stage("second")
        scan.gatherFindings()
        scan.stage("findings")
        return scan.result
    }
}
