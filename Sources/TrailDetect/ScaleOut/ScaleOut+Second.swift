import Foundation
import TrailReader

extension ScaleOut {
    /// Stage 3: with the context, the second pass over this partition's files whose fingerprint (from its stage 1
    /// `local` part) may meet an open window, and the evidence of correlation outcomes its files hold. Gives
    /// partials of phase 2 (evidence) and 3 (second pass), each tagged with its file.
    public static func second(
        _ files: [InputFile], context: [ExchangeLine], local: [ExchangeLine], rules: RuleSet, using parallel: ParallelReader
    ) -> [ExchangeLine] {
        let shared = Shared(context, rules: rules)
        let lineage = shared.lineage
        var out: [ExchangeLine] = []
        func emit(_ builders: [FindingBuilder], phase: Int, file: String) {
            for (n, b) in builders.enumerated() {
                var l = ExchangeLine(kind: .builder)
                l.builder = ExchangeLine.Partial(phase: phase, file: file, seq: n, record: b.record(rules))
                out.append(l)
            }
        }
        // Correlation evidence held by these files.
        let outcomes = context.compactMap(\.outcome)
        let here = Set(files.map(\.path))
        var gathering: [String: [Int32: [Int]]] = [:]
        for (n, o) in outcomes.enumerated() {
            for e in o.evidence where here.contains(e.file) {
                gathering[e.file, default: [:]][Int32(truncatingIfNeeded: e.record), default: []].append(n)
            }
        }
        let wanted = gathering
        let evidenceFiles = files.filter { wanted[$0.path] != nil }
        if !evidenceFiles.isEmpty {
            parallel.run(
                evidenceFiles,
                state: { Detector(rules: rules, lineage: lineage, pass: .all) },
                process: { file, fileReader, detector, emitOutput in
                    let (builders, report) = AnalysisRun.evidenceBuilders(
                        file, records: wanted[file.path]!, reader: fileReader, detector: detector, rules: rules
                    ) { n in
                        let o = outcomes[n]
                        return rules.index(ofRule: o.ruleId).map { (o.id, $0, o.group, o.measure) }
                    }
                    emitOutput(builders, 0)
                    return report
                },
                consume: { index, item in
                    if case .output(let partial) = item { emit(partial, phase: 2, file: evidenceFiles[index].path) }
                })
        }
        // The second pass.
        guard rules.needsSecondPass else { return out }
        var keys: [String: FileKeys] = [:]
        for f in local.compactMap(\.file) {
            if let text = f.keys, let bytes = Data(base64Encoded: text), let minTime = f.minTime, let maxTime = f.maxTime,
                let k = FileKeys(bytes: Array(bytes), minTime: minTime, maxTime: maxTime)
            {
                keys[f.path] = k
            }
        }
        let windows = shared.windows(rules)
        let readsAll = rules.secondPassReadsAll
        let selection = SecondPassSelection(windows: windows, lineage: lineage)
        let chosen = files.filter { f in readsAll || (keys[f.path].map { selection.needs($0) } ?? false) }
        guard !chosen.isEmpty else { return out }
        parallel.run(
            chosen,
            state: { Detector(rules: rules, lineage: lineage, windows: windows, pass: .second) },
            process: { file, fileReader, detector, emitOutput in
                let fileReport = fileReader.read(file) { event in detector.process(event, file: file.path) }
                emitOutput(detector.take(), 0)
                return fileReport
            },
            consume: { index, item in
                if case .output(let partial) = item { emit(partial, phase: 3, file: chosen[index].path) }
            })
        return out
    }
}
