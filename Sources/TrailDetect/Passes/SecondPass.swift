import TrailReader

extension AnalysisRun {
    /// The second pass, when a rule needs it: rules whose events count only inside a window, and rules that read
    /// lineage, over the files whose fingerprint may meet an open window (every file when a per-event rule reads
    /// `trailhound.origin.*`).
    func secondPass(_ windows: WindowIndex) {
        guard rules.needsSecondPass else { return }
        let rules = rules
        let lineage = result.lineage
        let readsAll = rules.secondPassReadsAll
        let selection = SecondPassSelection(windows: windows, lineage: lineage)
        var chosen = files.indices.filter { i in readsAll || (keys(i).map { selection.needs($0) } ?? false) }
            .map { files[$0] }
        // Earlier files were checked against the windows known then; only new windows can add to them. Unfinished
        // files were never checked: they are chosen as new files are.
        if !earlier.isEmpty {
            let fresh = SecondPassSelection(windows: windows, lineage: lineage, skipping: carryover.knownWindows, rules: rules)
            chosen += earlier.filter { f in
                guard let keys = carryover.earlierFiles[f.path] else { return readsAll && unfinished.contains(f.path) }
                return unfinished.contains(f.path) ? (readsAll || selection.needs(keys)) : fresh.needs(keys)
            }
        }
        result.secondPassFiles = chosen.count
        guard !chosen.isEmpty else { return }
        parallel.run(
            chosen,
            state: { Detector(rules: rules, lineage: lineage, windows: windows, pass: .second) },
            process: { file, fileReader, detector, emit in
                let before = detector.evaluated
                let fileReport = fileReader.read(file) { event in detector.process(event, file: file.path) }
                emit((detector.take(), detector.evaluated - before), 0)
                return fileReport
            },
            consume: { _, item in
                if case .output(let (partial, n)) = item {
                    stateful.merge(partial)
                    result.evaluated += n
                }
            })
    }
}
