import TrailReader

/// One scan in progress: what `Analysis.run` hands from one pass to the next. Each pass is an extension in its own
/// file (`FirstPass`, `StatesAndCorrelations`, `EvidencePass`, `SecondPass`, `GatherFindings`).
final class AnalysisRun {
    let files: [InputFile]
    let rules: RuleSet
    let parallel: ParallelReader
    let carryover: Analysis.Carryover
    let earlier: [InputFile]
    let unfinished: Set<String>
    /// The new files, then the earlier ones (a signal's `file` indexes this).
    let allFiles: [InputFile]
    var result: Analysis.Result
    /// Per-event findings of the new files (their builders wait in `spill`).
    var findings: FindingSet
    /// Findings of stateful rules (absences, correlations, the second pass), likewise.
    var stateful: FindingSet
    /// The trigger events, as they come (handed to the windows, which keep them).
    var triggers = Blocks<TriggerEvent>()
    /// Where the triggers' text waits for the windows to be built, and each file's key fingerprint for the second
    /// pass (memory keeps only their place).
    let spill = SpillFile()
    var signals: [Signal]
    var groupValues: [UInt64: [String]]
    /// Groups with a match from this run, or from a file whose analysis an earlier run did not finish.
    var freshGroups = Set<UInt64>()
    /// Each new file's key fingerprint, from the first pass: here while the file is read, then in `spill`
    /// (`spilledKeys`) once it is read (4 bytes per key, about a megabyte per 100 k events of STS-heavy logs).
    var fileKeys: [FileKeys?]
    var spilledKeys: [SpilledKeys?]

    struct SpilledKeys {
        let offset: Int64
        let length: Int
        let minTime: Int64
        let maxTime: Int64
    }
    private var stageStart = MonotonicClock.seconds()

    init(
        _ files: [InputFile], rules: RuleSet, using parallel: ParallelReader, carryover: Analysis.Carryover,
        earlier: [InputFile], unfinished: Set<String>
    ) {
        self.files = files
        self.rules = rules
        self.parallel = parallel
        result = Analysis.Result(rules: rules)
        findings = FindingSet(spill: spill)
        stateful = FindingSet(spill: spill)
        self.carryover = carryover
        self.earlier = earlier
        self.unfinished = unfinished
        allFiles = files + earlier
        var fileIndex: [String: Int32] = [:]
        for (i, f) in allFiles.enumerated() where fileIndex[f.path] == nil { fileIndex[f.path] = Int32(i) }
        let spill = spill
        for t in carryover.triggers {
            guard let rule = rules.index(ofRule: t.ruleId) else { continue }
            var trigger = TriggerEvent(rule: rule, json: t.json, file: t.file, index: t.index, time: t.time, eventID: t.eventID)
            trigger.spill(to: spill)
            triggers.append(trigger)
        }
        signals = carryover.signals.compactMap { s in
            guard let c = rules.index(ofRule: s.correlationId), let b = rules.index(ofRule: s.baseId) else { return nil }
            return Signal(
                correlation: Int32(c), base: Int32(b), group: s.group, value: s.value, time: s.time, event: s.event,
                file: fileIndex[s.file] ?? -1, record: Int32(truncatingIfNeeded: s.record))
        }
        groupValues = carryover.groupValues
        if !unfinished.isEmpty {
            for s in carryover.signals where unfinished.contains(s.file) { freshGroups.insert(s.group) }
        }
        for i in carryover.issuances { result.lineage.add(i) }
        result.latest = carryover.latest
        fileKeys = Array(repeating: nil, count: files.count)
        spilledKeys = Array(repeating: nil, count: files.count)
    }

    /// Moves new file `index`'s key fingerprint to the spill file (it stays here when it cannot be written there).
    func spillKeys(_ index: Int) {
        guard let keys = fileKeys[index], let (offset, length) = spill.append(keys.bytes) else { return }
        spilledKeys[index] = SpilledKeys(offset: offset, length: length, minTime: keys.minTime, maxTime: keys.maxTime)
        fileKeys[index] = nil
    }

    /// New file `index`'s key fingerprint (nil when its events gave none). Should it not read back from the spill
    /// file, the file may hold any key: it is read again whenever its time meets a window (rather than missed).
    func keys(_ index: Int) -> FileKeys? {
        if let keys = fileKeys[index] { return keys }
        guard let s = spilledKeys[index] else { return nil }
        if let bytes = spill.read(s.offset, s.length), let keys = FileKeys(bytes: bytes, minTime: s.minTime, maxTime: s.maxTime) {
            return keys
        }
        return .unknown(minTime: s.minTime, maxTime: s.maxTime)
    }

    /// Adds the time since the previous stage ended to `name`'s seconds.
    func stage(_ name: String) {
        let t = MonotonicClock.seconds()
        result.stageSeconds[name, default: 0] += t - stageStart
        stageStart = t
    }
}

