import TrailReader

extension AnalysisRun {
    /// Between the passes: the windows, built from the trigger events sorted by time; the absence findings; and the
    /// correlation groups that reach their condition. Frees the trigger events and matches.
    func windowsAndCorrelations() -> (WindowIndex, [Correlator.Outcome]) {
        result.triggers = triggerCount
        result.signals = signals.count + signalCount
        // Given up to the windows, which put them in order in place (one list of every trigger, not two).
        let windows = WindowIndex.build(
            triggers: liveTriggers(), rules: rules, lineage: result.lineage, latest: result.latest, threads: parallel.options.threads)
        result.windowsOpened = windows.count
        result.pendingAbsences = windows.pendingAbsences
        result.windowIndex = windows
        stateful.merge(windows.absenceFindings)
        // Only groups with a match from this run (or an unfinished one) can change; the others were decided when their
        // matches came.
        var all = allSignals()
        if !carryover.signals.isEmpty { all.removeAll { !freshGroups.contains($0.group) } }
        let outcomes = Correlator.evaluate(&all, groupValues: { self.values(ofGroup: $0) }, rules: rules)
        groupValues = [:]
        groupPlaces = [:]
        return (windows, outcomes)
    }
}
