import TrailReader

/// A whole scan: the passes over the logs and what is decided between them.
///
/// 1. First pass, every new file, in parallel: per-event rules give findings; credential issuances (lineage), the
///    events that open and close states (and absence rules' events and what they wait for), the matches correlation
///    rules count, and a fingerprint of the keys each file's events would join states with are kept. These are rare
///    events or small records, so this costs little more than the per-event rules.
/// 2. Between the passes: lineage is merged; states are built from the trigger events sorted by time; absence rules
///    and correlation rules are decided (a correlation's evidence is read back from its files).
/// 3. Second pass, only when a rule needs it, and only over the files whose fingerprint may meet an open state (every
///    file when a per-event rule reads `trailhound.origin.*`): rules whose events count only inside a state, and rules
///    that read lineage.
///
/// Everything is sorted or merged in an order that does not depend on the order files were named in or on threads.
/// For incremental runs (`--state`), a `Carryover` brings what earlier runs kept, and `onFile` receives each new
/// file's results to commit. Files an earlier run committed but did not finish analysing (it was killed between the
/// passes) are `unfinished`: they are not read again by the first pass (their results are in the carryover), but
/// count as new for the rest: their correlation groups are evaluated and the second pass reads them as it reads new
/// files.
public enum Analysis {
    /// What earlier runs recorded (from the state file).
    public struct Carryover: Sendable {
        public var issuances: [CredentialIssuance] = []
        public var triggers: [StoredTrigger] = []
        public var signals: [StoredSignal] = []
        public var groupValues: [UInt64: [String]] = [:]
        /// Earlier files' fingerprints, by path: read again when a state they may meet opens.
        public var earlierFiles: [String: FileKeys] = [:]
        /// The states earlier runs already checked every file against (`Result.windows`).
        public var knownWindows: Set<String> = []
        public var latest: Int64 = .min
        public init() {}
    }

    /// A trigger event as the state file keeps it.
    public struct StoredTrigger: Sendable {
        public let ruleId: String
        public let json: [UInt8]
        public let file: String
        public let index: Int
        public let time: Int64
        public let eventID: String
        public init(ruleId: String, json: [UInt8], file: String, index: Int, time: Int64, eventID: String) {
            self.ruleId = ruleId
            self.json = json
            self.file = file
            self.index = index
            self.time = time
            self.eventID = eventID
        }
    }

    /// A correlation match as the state file keeps it.
    public struct StoredSignal: Sendable {
        public let correlationId: String
        public let baseId: String
        public let group: UInt64
        public let value: UInt64
        public let time: Int64
        public let event: UInt64
        public let file: String
        public let record: Int
        public init(
            correlationId: String, baseId: String, group: UInt64, value: UInt64, time: Int64, event: UInt64, file: String, record: Int
        ) {
            self.correlationId = correlationId
            self.baseId = baseId
            self.group = group
            self.value = value
            self.time = time
            self.event = event
            self.file = file
            self.record = record
        }
    }

    /// One new file's results, for the state file to commit in one transaction.
    public struct FileResult: Sendable {
        public let file: InputFile
        public let report: FileReport
        public let builders: [FindingBuilder]
        public let issuances: [CredentialIssuance]
        public let triggers: [StoredTrigger]
        public let signals: [StoredSignal]
        public let groupValues: [UInt64: [String]]
        public let fileKeys: FileKeys
        /// The latest event time in the file (`Int64.min` when none).
        public let latest: Int64
    }

    public struct Result: Sendable {
        /// The findings of this run (per-event rules over the new files, and stateful rules), merged and rendered.
        public var findings: [Finding] = []
        /// The builders of stateful rules (states, absences, correlations), for the state file to merge.
        public var statefulBuilders: [FindingBuilder] = []
        public var lineage = LineageMap()
        /// Every state's identity now (rule, key, opening event, end), for the state file.
        public var windows: Set<String> = []
        /// Rule evaluations, all passes.
        public var evaluated = 0
        public var triggers = 0
        public var signals = 0
        public var states = 0
        public var pendingAbsences = 0
        /// Files read again by the second pass (new files and earlier ones).
        public var secondPassFiles = 0
        /// Files read again for correlation evidence.
        public var evidenceFiles = 0
        /// The latest event time seen (this run and earlier ones).
        public var latest: Int64 = .min
        /// Wall-clock seconds of each stage (`first`, `between`: states and correlations, `evidence`, `second`,
        /// `findings`), for benchmarks.
        public var stageSeconds: [String: Double] = [:]
    }

    /// Runs the scan over `files`. Each new file's report goes to `report`; with `onFile`, each new file's results
    /// too, in file order. `earlier` are the files earlier runs read that are still there (read again only when a
    /// state that may meet them opens, or for a correlation's evidence); `unfinished` are the paths among them whose
    /// analysis an earlier run did not finish.
    public static func run(
        _ files: [InputFile], rules: RuleSet, using parallel: ParallelReader, carryover: Carryover = Carryover(),
        earlier: [InputFile] = [], unfinished: Set<String> = [], onFile: ((FileResult) -> Void)? = nil,
        report: (FileReport) -> Void
    ) -> Result {
        var result = Result()
        var stageStart = MonotonicClock.seconds()
        func stage(_ name: String) {
            let t = MonotonicClock.seconds()
            result.stageSeconds[name, default: 0] += t - stageStart
            stageStart = t
        }
        var findings = FindingSet()
        let allFiles = files + earlier
        var fileIndex: [String: Int32] = [:]
        for (i, f) in allFiles.enumerated() where fileIndex[f.path] == nil { fileIndex[f.path] = Int32(i) }
        var triggers: [TriggerEvent] = carryover.triggers.compactMap { t in
            rules.index(ofRule: t.ruleId).map {
                TriggerEvent(rule: $0, json: t.json, file: t.file, index: t.index, time: t.time, eventID: t.eventID)
            }
        }
        var signals: [Signal] = carryover.signals.compactMap { s in
            guard let c = rules.index(ofRule: s.correlationId), let b = rules.index(ofRule: s.baseId) else { return nil }
            return Signal(
                correlation: Int32(c), base: Int32(b), group: s.group, value: s.value, time: s.time, event: s.event,
                file: fileIndex[s.file] ?? -1, record: Int32(truncatingIfNeeded: s.record))
        }
        var groupValues = carryover.groupValues
        // Groups with a match from this run, or from a file whose analysis an earlier run did not finish.
        var freshGroups = Set<UInt64>()
        if !unfinished.isEmpty {
            for s in carryover.signals where unfinished.contains(s.file) { freshGroups.insert(s.group) }
        }
        for i in carryover.issuances { result.lineage.add(i) }
        result.latest = carryover.latest
        var fileKeys: [FileKeys?] = Array(repeating: nil, count: files.count)
        // A file's results are handed over every 4,096 events (so one huge file does not pile up in its worker), and
        // gathered per file for `onFile`, which commits a file whole.
        var perFile = DetectorOutput()
        var perFileBuilders = FindingSet()
        parallel.run(
            files,
            state: { Detector(rules: rules, pass: .first) },
            process: { (file: InputFile, fileReader: FileReader, detector: Detector, emit: ((DetectorOutput, Int, FileReport?), Int) -> Void) in
                var counted = detector.evaluated
                var events = 0
                let fileReport = fileReader.read(file) { event in
                    detector.process(event, file: file.path)
                    events += 1
                    if events & 4095 == 0 {
                        let chunk: (DetectorOutput, Int, FileReport?) = (detector.takeAll(), detector.evaluated - counted, nil)
                        emit(chunk, 0)
                        counted = detector.evaluated
                    }
                }
                let last: (DetectorOutput, Int, FileReport?) = (detector.takeAll(), detector.evaluated - counted, fileReport)
                emit(last, 0)
                return fileReport
            },
            consume: { index, item in
                switch item {
                case .output(let (out, n, fileReport)):
                    findings.merge(out.builders)
                    for i in out.issuances { result.lineage.add(i) }
                    triggers += out.triggers
                    for var s in out.signals {
                        s.file = Int32(index)
                        signals.append(s)
                        freshGroups.insert(s.group)
                    }
                    for (k, v) in out.groupValues where groupValues[k] == nil { groupValues[k] = v }
                    if !out.fileKeys.isEmpty {
                        if fileKeys[index] == nil { fileKeys[index] = out.fileKeys } else { fileKeys[index]!.formUnion(out.fileKeys) }
                    }
                    result.evaluated += n
                    result.latest = max(result.latest, out.latestEventTime)
                    guard let onFile else { break }
                    perFileBuilders.merge(out.builders)
                    perFile.issuances += out.issuances
                    perFile.triggers += out.triggers
                    perFile.signals += out.signals
                    for (k, v) in out.groupValues where perFile.groupValues[k] == nil { perFile.groupValues[k] = v }
                    perFile.fileKeys.formUnion(out.fileKeys)
                    perFile.latestEventTime = max(perFile.latestEventTime, out.latestEventTime)
                    guard let fileReport else { break }
                    let file = files[index]
                    onFile(
                        FileResult(
                            file: file, report: fileReport, builders: perFileBuilders.order.map { perFileBuilders.builders[$0]! },
                            issuances: perFile.issuances,
                            triggers: perFile.triggers.map {
                                StoredTrigger(
                                    ruleId: rules.rules[$0.rule].id, json: $0.json, file: $0.file, index: $0.index,
                                    time: $0.time, eventID: $0.eventID)
                            },
                            signals: perFile.signals.map {
                                StoredSignal(
                                    correlationId: rules.rules[Int($0.correlation)].id, baseId: rules.rules[Int($0.base)].id,
                                    group: $0.group, value: $0.value, time: $0.time, event: $0.event, file: file.path,
                                    record: Int($0.record))
                            },
                            groupValues: perFile.groupValues, fileKeys: perFile.fileKeys, latest: perFile.latestEventTime))
                    perFile = DetectorOutput()
                    perFileBuilders = FindingSet()
                case .done(let r):
                    report(r)
                }
            })
        stage("first")
        result.triggers = triggers.count
        result.signals = signals.count
        let lineage = result.lineage
        let states = StateIndex.build(triggers: triggers, rules: rules, lineage: lineage, latest: result.latest)
        triggers = []
        result.states = states.count
        result.pendingAbsences = states.pendingAbsences
        result.windows = states.identities(rules)
        var stateful = FindingSet()
        stateful.merge(states.absenceFindings)
        // Only groups with a match from this run (or an unfinished one) can change; the others were decided when their
        // matches came.
        if !carryover.signals.isEmpty { signals.removeAll { !freshGroups.contains($0.group) } }
        let outcomes = Correlator.evaluate(&signals, groupValues: groupValues, rules: rules)
        signals = []
        groupValues = [:]
        stage("between")
        let (correlated, evidenceFiles) = Self.correlationFindings(outcomes, files: allFiles, rules: rules, lineage: lineage, using: parallel)
        stateful.merge(correlated)
        result.evidenceFiles = evidenceFiles
        stage("evidence")
        if rules.needsSecondPass {
            let readsAll = rules.secondPassReadsAll
            let selection = SecondPassSelection(states: states, lineage: lineage)
            var chosen = files.indices.filter { i in readsAll || (fileKeys[i].map { selection.needs($0) } ?? false) }
                .map { files[$0] }
            // Earlier files were checked against the states known then; only new states can add to them. Unfinished
            // files were never checked: they are chosen as new files are.
            if !earlier.isEmpty {
                let fresh = SecondPassSelection(states: states, lineage: lineage, skipping: carryover.knownWindows, rules: rules)
                chosen += earlier.filter { f in
                    guard let keys = carryover.earlierFiles[f.path] else { return readsAll && unfinished.contains(f.path) }
                    return unfinished.contains(f.path) ? (readsAll || selection.needs(keys)) : fresh.needs(keys)
                }
            }
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
                            stateful.merge(partial)
                            result.evaluated += n
                        }
                    })
            }
        }
        stage("second")
        result.statefulBuilders = stateful.order.map { stateful.builders[$0]! }
        findings.merge(result.statefulBuilders)
        result.findings = findings.findings(rules, lineage: lineage)
        stage("findings")
        return result
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
                let records = perFile[index[file.path]!]
                var builders: [Int: FindingBuilder] = [:]
                var firstSeen: [Int] = []
                // Only up to the last record wanted.
                let last = Int(records.keys.max() ?? 0)
                let report = fileReader.read(file, through: last) { event in
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
        // Only the first matches were read back; the count and times cover them all.
        let byID = Dictionary(outcomes.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        let found = set.order.map { id in
            var b = set.builders[id]!
            if let o = byID[id] { b.account(count: o.count, first: o.first, last: o.last) }
            return b
        }
        return (found, chosen.count)
    }
}
