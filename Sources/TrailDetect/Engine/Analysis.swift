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
        parallel.run(
            files,
            state: { Detector(rules: rules, pass: .first) },
            process: { file, fileReader, detector, emit in
                let before = detector.evaluated
                let fileReport = fileReader.read(file) { event in detector.process(event, file: file.path) }
                emit((detector.takeAll(), detector.evaluated - before), 0)
                return fileReport
            },
            consume: { _, item in
                switch item {
                case .output(let (out, n)):
                    findings.merge(out.builders)
                    for i in out.issuances { result.lineage.add(i) }
                    triggers += out.triggers
                    signals += out.signals
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
        findings.merge(Correlator.evaluate(signals, rules: rules, lineage: lineage))
        signals = []
        if rules.needsSecondPass {
            let readsAll = rules.secondPassReadsAll
            let chosen = files.filter { readsAll || states.mayHold($0) }
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
}
