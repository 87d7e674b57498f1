import TrailReader

extension AnalysisRun {
    /// The first pass, every new file in parallel: per-event findings, credential issuances, trigger events,
    /// correlation matches and each file's key fingerprint. With `onFile`, each file's results too, in file order.
    func firstPass(onFile: ((Analysis.FileResult) -> Void)?, report: (FileReport) -> Void) {
        let rules = rules
        // A file's results are handed over every 4,096 events (so one huge file does not pile up in its worker), and
        // gathered per file for `onFile`, which commits a file whole.
        // At most 32,768 identities' keys (then it starts afresh): each role session is an identity, and at the
        // default size the cache was 6 MB of a 200 k-event day of heavy STS; a smaller one cost no time (sts-heavy,
        // 200 k events: 65.0 -> 61.7 MB peak, 5.9 s either way), one of 8,192 did.
        let sharedKeys = SharedIdentityCache<[UInt64]>(limit: 1 << 15)
        var perFile = DetectorOutput()
        var perFileBuilders = FindingSet()
        parallel.run(
            files,
            state: {
                let detector = Detector(rules: rules, pass: .first)
                detector.identityKeys = sharedKeys
                return detector
            },
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
                    gather(out, evaluated: n, file: index)
                    // The file's last chunk: its key fingerprint is complete.
                    if fileReport != nil { spillKeys(index) }
                    guard let onFile else { break }
                    perFileBuilders.merge(out.builders)
                    perFile.issuances += out.issuances
                    perFile.triggers += out.triggers
                    perFile.signals += out.signals
                    for (k, v) in out.groupValues where perFile.groupValues[k] == nil { perFile.groupValues[k] = v }
                    perFile.fileKeys.formUnion(out.fileKeys)
                    perFile.latestEventTime = max(perFile.latestEventTime, out.latestEventTime)
                    guard let fileReport else { break }
                    onFile(fileResult(files[index], report: fileReport, perFile, builders: perFileBuilders))
                    perFile = DetectorOutput()
                    perFileBuilders = FindingSet()
                case .done(let r):
                    report(r)
                }
            })
    }

    /// Adds a chunk of the first pass's output from new file `index` to the run.
    private func gather(_ out: DetectorOutput, evaluated n: Int, file index: Int) {
        findings.merge(out.builders)
        for i in out.issuances { result.lineage.add(i) }
        keep(out.triggers, fileIndex: { _ in index })
        keep(out.signals, groupValues: out.groupValues, file: index)
        if !out.fileKeys.isEmpty {
            if fileKeys[index] == nil { fileKeys[index] = out.fileKeys } else { fileKeys[index]!.formUnion(out.fileKeys) }
        }
        result.evaluated += n
        result.latest = max(result.latest, out.latestEventTime)
    }

    /// One new file's first-pass results as the state file commits them.
    private func fileResult(
        _ file: InputFile, report: FileReport, _ perFile: DetectorOutput, builders: FindingSet
    ) -> Analysis.FileResult {
        Analysis.FileResult(
            file: file, report: report, builders: builders.list,
            issuances: perFile.issuances,
            triggers: perFile.triggers.map {
                Analysis.StoredTrigger(
                    ruleId: rules.rules[$0.rule].id, json: $0.json, file: $0.file, index: $0.index,
                    time: $0.time, eventID: $0.eventID)
            },
            signals: perFile.signals.map {
                Analysis.StoredSignal(
                    correlationId: rules.rules[Int($0.correlation)].id, baseId: rules.rules[Int($0.base)].id,
                    group: $0.group, value: $0.value, time: $0.time, event: $0.event, file: file.path,
                    record: Int($0.record))
            },
            groupValues: perFile.groupValues, fileKeys: perFile.fileKeys, latest: perFile.latestEventTime)
    }
}
