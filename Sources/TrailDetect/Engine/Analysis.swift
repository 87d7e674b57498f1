import TrailReader

/// A whole scan: the passes over the logs and what is decided between them.
///
/// 1. First pass, every file, in parallel: per-event rules give findings; credential issuances (lineage), the events
///    that open and close states (and absence rules' events and what they wait for), and the matches correlation
///    rules count are kept. These are rare events, so this costs little more than the per-event rules.
/// 2. Between the passes: lineage is merged in file order; states are built from the trigger events sorted by time;
///    absence rules and correlation rules are decided.
/// 3. Second pass, only when a rule needs it, and only over the files whose time can hold events inside an open
///    state (every file when a per-event rule reads `trailhound.origin.*`): rules whose events count only inside a
///    state, and rules that read lineage.
///
/// Everything is sorted or merged in an order that does not depend on the order files were named in or on threads.
public enum Analysis {
    public struct Result: Sendable {
        public var findings: [Finding] = []
        public var lineage = LineageMap()
        /// Rule evaluations, both passes.
        public var evaluated = 0
        public var triggers = 0
        public var signals = 0
        public var states = 0
        public var pendingAbsences = 0
        /// Files read again by the second pass.
        public var secondPassFiles = 0
        /// The latest event time seen.
        public var latest: Int64 = .min
    }

    /// Runs the scan. Each first-pass file report goes to `report` (the second pass reads files already reported).
    public static func run(
        _ files: [InputFile], rules: RuleSet, using parallel: ParallelReader, report: (FileReport) -> Void
    ) -> Result {
        var result = Result()
        var findings = FindingSet()
        var triggers: [TriggerEvent] = []
        var signals: [Signal] = []
        var fileKeys: [FileKeys?] = Array(repeating: nil, count: files.count)
        var groupValues: [Int: [String]] = [:]
        parallel.run(
            files,
            state: { Detector(rules: rules, pass: .first) },
            process: { file, fileReader, detector, emit in
                let before = detector.evaluated
                let fileReport = fileReader.read(file) { event in detector.process(event, file: file.path) }
                emit((detector.takeAll(), detector.evaluated - before), 0)
                return fileReport
            },
            consume: { index, item in
                switch item {
                case .output(let (out, n)):
                    findings.merge(out.builders)
                    for i in out.issuances { result.lineage.add(i) }
                    triggers += out.triggers
                    for var s in out.signals {
                        s.file = Int32(index)
                        signals.append(s)
                    }
                    for (k, v) in out.groupValues where groupValues[k] == nil { groupValues[k] = v }
                    if !out.fileKeys.isEmpty { fileKeys[index] = out.fileKeys }
                    result.evaluated += n
                    result.latest = max(result.latest, out.latestEventTime)
                case .done(let r):
                    report(r)
                }
            })
        result.triggers = triggers.count
        result.signals = signals.count
        let lineage = result.lineage
        let states = StateIndex.build(triggers: triggers, rules: rules, lineage: lineage, latest: result.latest)
        triggers = []
        result.states = states.count
        result.pendingAbsences = states.pendingAbsences
        findings.merge(states.absenceFindings)
        let outcomes = Correlator.evaluate(signals, groupValues: groupValues, rules: rules)
        signals = []
        groupValues = [:]
        findings.merge(Self.correlationFindings(outcomes, files: files, rules: rules, lineage: lineage, using: parallel))
        if rules.needsSecondPass {
            let readsAll = rules.secondPassReadsAll
            let selection = SecondPassSelection(states: states, lineage: lineage)
            let chosen = files.indices.filter { i in readsAll || (fileKeys[i].map { selection.needs($0) } ?? false) }
                .map { files[$0] }
            result.secondPassFiles = chosen.count
            if !chosen.isEmpty {
                parallel.run(
                    chosen,
                    state: { Detector(rules: rules, lineage: lineage, states: states, pass: .second) },
                    process: { file, fileReader, detector, emit in
                        let before = detector.evaluated
                        let fileReport = fileReader.read(file) { event in detector.process(event, file: file.path) }
                        emit((detector.take(), detector.evaluated - before), 0)
                        return fileReport
                    },
                    consume: { _, item in
                        if case .output(let (partial, n)) = item {
                            findings.merge(partial)
                            result.evaluated += n
                        }
                    })
            }
        }
        result.findings = findings.findings(rules, lineage: lineage)
        return result
    }

    /// Reads the evidence of correlation findings from their files (only the files and records that hold it).
    static func correlationFindings(
        _ outcomes: [Correlator.Outcome], files: [InputFile], rules: RuleSet, lineage: LineageMap, using parallel: ParallelReader
    ) -> [FindingBuilder] {
        guard !outcomes.isEmpty else { return [] }
        var wanted: [Int32: [Int32: [Int]]] = [:]
        for (n, o) in outcomes.enumerated() {
            for e in o.evidence { wanted[e.file, default: [:]][e.record, default: []].append(n) }
        }
        let order = wanted.keys.sorted()
        let chosen = order.map { files[Int($0)] }
        let perFile = order.map { wanted[$0]! }
        var set = FindingSet()
        let index = Dictionary(uniqueKeysWithValues: chosen.enumerated().map { ($0.element.path, $0.offset) })
        parallel.run(
            chosen,
            state: { Detector(rules: rules, lineage: lineage, pass: .all) },
            process: { file, fileReader, detector, emit in
                let records = perFile[index[file.path]!]
                var builders: [Int: FindingBuilder] = [:]
                var firstSeen: [Int] = []
                let report = fileReader.read(file) { event in
                    guard let hits = records[Int32(truncatingIfNeeded: event.index)] else { return }
                    detector.context.reset(event)
                    for n in hits {
                        if builders[n] == nil {
                            let o = outcomes[n]
                            var b = FindingBuilder(id: o.id, ruleIndex: o.rule, title: Detector.title(rules.rules[o.rule], detector.context))
                            b.state = Finding.State(
                                kind: "correlation", key: o.group.joined(separator: " "), openedByRule: nil, opened: nil,
                                closed: nil, until: nil, measure: o.measure)
                            builders[n] = b
                            firstSeen.append(n)
                        }
                        builders[n]!.add(detector.context, file: file.path)
                    }
                }
                emit(firstSeen.map { builders[$0]! }, 0)
                return report
            },
            consume: { _, item in
                if case .output(let partial) = item { set.merge(partial) }
            })
        return set.order.map { set.builders[$0]! }
    }
}
