import TrailReader

extension AnalysisRun {
    /// Reads the evidence of the correlation groups that reached their condition back from their files.
    func readEvidence(_ outcomes: [Correlator.Outcome]) {
        let (correlated, evidenceFiles) = Self.correlationFindings(
            outcomes, files: allFiles, rules: rules, lineage: result.lineage, using: parallel)
        stateful.merge(correlated)
        result.evidenceFiles = evidenceFiles
    }

    /// Reads the evidence of correlation findings from their files (only the files and records that hold it).
    static func correlationFindings(
        _ outcomes: [Correlator.Outcome], files: [InputFile], rules: RuleSet, lineage: LineageMap, using parallel: ParallelReader
    ) -> (findings: [FindingBuilder], files: Int) {
        guard !outcomes.isEmpty else { return ([], 0) }
        var wanted: [Int32: [Int32: [Int]]] = [:]
        for (n, o) in outcomes.enumerated() {
            for e in o.evidence where e.file >= 0 && Int(e.file) < files.count {
                wanted[e.file, default: [:]][e.record, default: []].append(n)
            }
        }
        let order = wanted.keys.sorted()
        let chosen = order.map { files[Int($0)] }
        let perFile = order.map { wanted[$0]! }
        var set = FindingSet()
        let index = Dictionary(chosen.enumerated().map { ($0.element.path, $0.offset) }, uniquingKeysWith: { a, _ in a })
        parallel.run(
            chosen,
            state: { Detector(rules: rules, lineage: lineage, pass: .all) },
            process: { file, fileReader, detector, emit in
                let (builders, report) = evidenceBuilders(
                    file, records: perFile[index[file.path]!], reader: fileReader, detector: detector, rules: rules
                ) { n in
                    let o = outcomes[n]
                    return (o.id, o.rule, o.group, o.measure)
                }
                emit(builders, 0)
                return report
            },
            consume: { _, item in
                if case .output(let partial) = item { set.merge(partial) }
            })
        // Only the first matches were read back; the count and times cover them all.
        let byID = Dictionary(outcomes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let found = set.list.map { b in
            var b = b
            if let o = byID[b.id] { b.account(count: o.count, first: o.first, last: o.last) }
            return b
        }
        return (found, chosen.count)
    }

    /// Reads `file` up to the last record wanted and builds the correlation findings its records are evidence of:
    /// `records` maps a record to the outcomes (by number) it is evidence of, and `outcome(n)` names outcome n (nil:
    /// left out). The builders come in the order their first record was met. One scan's evidence pass and a scale-out
    /// task's (`ScaleOut.second`) both read evidence through it.
    static func evidenceBuilders(
        _ file: InputFile, records: [Int32: [Int]], reader fileReader: FileReader, detector: Detector, rules: RuleSet,
        outcome: (Int) -> (id: String, rule: Int, group: [String], measure: String)?
    ) -> ([FindingBuilder], FileReport) {
        var builders: [Int: FindingBuilder] = [:]
        var firstSeen: [Int] = []
        let last = Int(records.keys.max() ?? 0)
        let report = fileReader.read(file, through: last) { event in
            guard let hits = records[Int32(truncatingIfNeeded: event.index)] else { return }
            detector.context.reset(event)
            for n in hits {
                if builders[n] == nil {
                    guard let o = outcome(n) else { continue }
                    var b = FindingBuilder(id: o.id, ruleIndex: o.rule, title: Detector.title(rules, o.rule, detector.context))
                    b.state = Finding.State(
                        kind: "correlation", key: o.group.joined(separator: " "), openedByRule: nil, opened: nil,
                        closed: nil, until: nil, measure: o.measure)
                    builders[n] = b
                    firstSeen.append(n)
                }
                builders[n]!.add(detector.context, file: file.path)
            }
        }
        return (firstSeen.map { builders[$0]! }, report)
    }
}
