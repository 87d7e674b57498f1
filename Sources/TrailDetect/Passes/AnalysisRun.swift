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
    /// The trigger events, as they come: written whole to `spill` (their text, and the rest at `triggerChunks`); those
    /// that could not be written stay in `triggers`. Read back once the first pass is over, only those a rule can use
    /// (`liveTriggers`): every role assumption is a trigger event of a rule that most logs never let match.
    var triggers = Blocks<TriggerEvent>()
    var triggerChunks: [(offset: Int64, length: Int, count: Int)] = []
    /// How many trigger events there are, and the rules (detections) they matched.
    var triggerCount = 0
    var triggerRules = Set<Int>()
    /// What grows with the logs, in an unlinked temporary file: trigger events, correlation matches and group values
    /// until the first pass is over, each file's key fingerprint for the second pass, finding builders until they are
    /// written (memory keeps only their place).
    let spill = SpillFile()
    /// Correlation matches: those of new files in the spill file as they come (`signalChunks`: 48 bytes each, read
    /// back when the correlations are evaluated), those an earlier run kept (or that could not be written) here.
    var signals: [Signal]
    var signalChunks: [(offset: Int64, length: Int, count: Int)] = []
    /// The matches in `signalChunks`.
    var signalCount = 0
    /// Each correlation group's values, named in a finding only when the group reaches its condition: in the spill
    /// file (`groupPlaces`) as they come, those an earlier run kept (or that could not be written) here.
    var groupValues: [UInt64: [String]]
    var groupPlaces: [UInt64: (offset: Int64, length: Int32)] = [:]
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
        keep(
            carryover.triggers.compactMap { t in
                rules.index(ofRule: t.ruleId).map {
                    TriggerEvent(rule: $0, json: t.json, file: t.file, index: t.index, time: t.time, eventID: t.eventID)
                }
            }, fileIndex: { fileIndex[$0.file].map(Int.init) })
    }

    /// Keeps correlation matches of new file `file`, and the values of the groups not seen before, in the spill file.
    func keep(_ batch: [Signal], groupValues values: [UInt64: [String]], file: Int) {
        if !batch.isEmpty {
            var list = batch
            for i in list.indices {
                list[i].file = Int32(file)
                freshGroups.insert(list[i].group)
            }
            let bytes = list.withUnsafeBytes { Array($0) }
            if let (offset, length) = spill.append(bytes) {
                signalChunks.append((offset, length, list.count))
                signalCount += list.count
            } else {
                signals += list
            }
        }
        let fresh = values.filter { groupValues[$0.key] == nil && groupPlaces[$0.key] == nil }.sorted { $0.key < $1.key }
        guard !fresh.isEmpty else { return }
        var w = SpillWriter(out: [])
        var ends: [Int] = []
        for (_, v) in fresh {
            w.strings(v)
            ends.append(w.out.count)
        }
        guard let (offset, _) = spill.append(w.out) else {
            for (k, v) in fresh { groupValues[k] = v }
            return
        }
        var start = 0
        for ((k, _), end) in zip(fresh, ends) {
            groupPlaces[k] = (offset + Int64(start), Int32(end - start))
            start = end
        }
    }

    /// Every correlation match, back from the spill file (those that do not read back are counted as unreadable).
    func allSignals() -> [Signal] {
        var all = signals
        signals = []
        all.reserveCapacity(all.count + signalChunks.reduce(0) { $0 + $1.count })
        for chunk in signalChunks {
            guard let bytes = spill.read(chunk.offset, chunk.length), bytes.count == chunk.count * MemoryLayout<Signal>.stride
            else {
                spill.unreadable.add(chunk.count, ordering: .relaxed)
                continue
            }
            bytes.withUnsafeBytes { raw in
                for n in 0..<chunk.count { all.append(raw.loadUnaligned(fromByteOffset: n * MemoryLayout<Signal>.stride, as: Signal.self)) }
            }
        }
        signalChunks = []
        return all
    }

    /// A group's values: [] when none were kept, nil (counted as unreadable) when they do not read back.
    func values(ofGroup group: UInt64) -> [String]? {
        if let v = groupValues[group] { return v }
        guard let place = groupPlaces[group] else { return [] }
        guard let bytes = spill.read(place.offset, Int(place.length)) else {
            spill.unreadable.add(1, ordering: .relaxed)
            return nil
        }
        let values: [String]? = bytes.withUnsafeBytes { raw in
            var r = SpillReader(bytes: raw)
            guard let v = r.strings(), r.atEnd else { return nil }
            return v
        }
        if values == nil { spill.unreadable.add(1, ordering: .relaxed) }
        return values
    }

    /// Keeps trigger events: their text and the rest of them in the spill file, one write for the lot (in memory
    /// when it cannot be written). `fileIndex` gives a trigger's file's position in `allFiles`.
    func keep(_ batch: [TriggerEvent], fileIndex: (TriggerEvent) -> Int?) {
        guard !batch.isEmpty else { return }
        var w = SpillWriter(out: [])
        var written: [TriggerEvent] = []
        for var t in batch {
            t.spill(to: spill)
            triggerCount += 1
            triggerRules.insert(t.rule)
            if t.encodeRecord(into: &w, fileIndex: fileIndex(t)) { written.append(t) } else { triggers.append(t) }
        }
        guard !written.isEmpty else { return }
        if let (offset, length) = spill.append(w.out) {
            triggerChunks.append((offset, length, written.count))
        } else {
            for t in written { triggers.append(t) }
        }
    }

    /// The trigger events that a rule can use (`WindowIndex.isLive`), back from the spill file. One that does not
    /// read back is counted as unreadable (`SpillFile.unreadable`): the run's findings are then incomplete.
    func liveTriggers() -> Blocks<TriggerEvent> {
        let live = WindowIndex.liveRules(triggerRules: triggerRules, rules: rules)
        let wanted = Set(triggerRules.filter { r in rules.triggerUses[r]?.contains { WindowIndex.isLive($0, live) } ?? false })
        var out = Blocks<TriggerEvent>()
        for t in triggers where wanted.contains(t.rule) { out.append(t) }
        for chunk in triggerChunks {
            guard let bytes = spill.read(chunk.offset, chunk.length) else {
                spill.unreadable.add(chunk.count, ordering: .relaxed)
                continue
            }
            // A chunk is taken whole or not at all (bytes that are not the chunk written make none of it trusted).
            let decoded: [TriggerEvent]? = bytes.withUnsafeBytes { raw in
                var r = SpillReader(bytes: raw)
                var list: [TriggerEvent] = []
                for _ in 0..<chunk.count {
                    guard let t = TriggerEvent.decodeRecord(&r, files: allFiles, spill: spill) else { return nil }
                    if wanted.contains(t.rule) { list.append(t) }
                }
                return r.atEnd ? list : nil
            }
            guard let decoded else {
                spill.unreadable.add(chunk.count, ordering: .relaxed)
                continue
            }
            for t in decoded { out.append(t) }
        }
        triggers = Blocks()
        triggerChunks = []
        return out
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

