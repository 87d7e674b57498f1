import Foundation
import TrailReader

/// A scan split into stages that run on many machines (a Spark job) and give exactly the findings of one
/// `Analysis.run` over all the files:
///
/// 1. `map`, per partition of files: the first pass. Global part (small): credential issuances, trigger events,
///    correlation matches and their group values, the latest event time. Local part: per-file partial findings
///    (per-event rules) and each file's key fingerprint and report.
/// 2. `context`, once, over every global part: lineage, windows (and absence findings) and correlation outcomes,
///    decided as one machine decides them (inputs put back in discovery order first).
/// 3. `second`, per partition again, with the context: the second pass over the partition's files that need it, and
///    the evidence of correlation outcomes held by its files.
/// 4. `reduce`, per partition of finding ids: every partial of an id merged in the order one machine merges them
///    (phase, then file in discovery order, then position), rendered with the lineage.
///
/// `FindingBuilder.merge` is associative but not commutative (the first partial's title, actor and evidence come
/// first), so partials carry their file and position and are sorted before merging: the order files were listed or
/// partitioned in changes nothing.
public enum ScaleOut {
    /// The order discovery reads files in: the time in the name (else the folder's day), then the path's bytes.
    public static func orderKey(_ path: String) -> (Int64, String) {
        let info = LogPath(path)
        return (info.nameTime ?? info.folderDay ?? Int64.min, path)
    }

    static func precedes(_ a: String, _ b: String) -> Bool {
        let ka = orderKey(a)
        let kb = orderKey(b)
        return ka.0 != kb.0 ? ka.0 < kb.0 : Array(a.utf8).lexicographicallyPrecedes(Array(b.utf8))
    }

    /// The files of a listing as discovery would read them from a walked tree: digests and names that are not log
    /// files set aside, the rest in discovery order (each path once).
    public static func inputFiles(_ paths: [String]) -> (files: [InputFile], setAside: [(path: String, reason: SetAsideFile.Reason)]) {
        var files: [InputFile] = []
        var setAside: [(path: String, reason: SetAsideFile.Reason)] = []
        for path in Set(paths).sorted(by: precedes) {
            let info = LogPath(path)
            let name = path.split(separator: "/").last.map(String.init) ?? path
            if info.isDigest {
                setAside.append((path, .digest))
            } else if !LogPath.isLogFileName(name) {
                setAside.append((path, .notLogFile))
            } else {
                files.append(
                    InputFile(path: path, account: info.account, region: info.region, nameTime: info.nameTime, folderDay: info.folderDay))
            }
        }
        return (files, setAside)
    }

    /// Stage 1: the first pass over one partition's files. `report` sees each file's report.
    public static func map(
        _ files: [InputFile], rules: RuleSet, using parallel: ParallelReader, report: (FileReport) -> Void
    ) -> (global: [ExchangeLine], local: [ExchangeLine]) {
        var global: [ExchangeLine] = []
        var local: [ExchangeLine] = []
        var latest = Int64.min
        let run = AnalysisRun(files, rules: rules, using: parallel, carryover: Analysis.Carryover(), earlier: [], unfinished: [])
        run.firstPass(
            onFile: { r in
                let path = r.file.path
                var f = ExchangeLine(kind: .file)
                f.file = ExchangeLine.FileEntry(
                    path: path, status: r.report.status.rawValue, records: r.report.records, delivered: r.report.delivered,
                    rejected: r.report.rejected, problems: r.report.diagnostics.map { "\($0)" },
                    keys: r.fileKeys.isEmpty ? nil : Data(r.fileKeys.bytes).base64EncodedString(),
                    minTime: r.fileKeys.isEmpty ? nil : r.fileKeys.minTime, maxTime: r.fileKeys.isEmpty ? nil : r.fileKeys.maxTime)
                local.append(f)
                for (n, b) in r.builders.enumerated() {
                    var l = ExchangeLine(kind: .builder)
                    l.builder = ExchangeLine.Partial(phase: 0, file: path, seq: n, record: b.record(rules))
                    local.append(l)
                }
                for (n, i) in r.issuances.enumerated() {
                    var l = ExchangeLine(kind: .issuance)
                    l.issuance = ExchangeLine.Issuance(
                        file: path, seq: n, api: i.api, account: i.account, childKey: i.childKey, parentKey: i.parentKey,
                        parentPrincipal: i.parentPrincipal, childPrincipal: i.childPrincipal, issuedAt: i.issuedAt,
                        expiresAt: i.expiresAt, eventID: i.eventID)
                    global.append(l)
                }
                for (n, t) in r.triggers.enumerated() {
                    var l = ExchangeLine(kind: .trigger)
                    l.trigger = ExchangeLine.Trigger(
                        seq: n, ruleId: t.ruleId, json: Data(t.json).base64EncodedString(), file: t.file, index: t.index,
                        time: t.time, eventID: t.eventID)
                    global.append(l)
                }
                for (n, s) in r.signals.enumerated() {
                    var l = ExchangeLine(kind: .signal)
                    l.signal = ExchangeLine.SignalEntry(
                        seq: n, correlationId: s.correlationId, baseId: s.baseId, group: s.group, value: s.value, time: s.time,
                        event: s.event, file: s.file, record: s.record)
                    global.append(l)
                }
                for (group, values) in r.groupValues.sorted(by: { $0.key < $1.key }) {
                    var l = ExchangeLine(kind: .group)
                    l.group = ExchangeLine.Group(group: group, values: values)
                    global.append(l)
                }
                latest = max(latest, r.latest)
            }, report: report)
        if latest > .min {
            var l = ExchangeLine(kind: .latest)
            l.latest = latest
            global.append(l)
        }
        return (global, local)
    }

    /// What every stage after the first shares: lineage (issuances in discovery order), trigger events, the latest
    /// event time.
    struct Shared {
        var lineage = LineageMap()
        var triggers: [TriggerEvent] = []
        var latest = Int64.min

        init(_ lines: [ExchangeLine], rules: RuleSet) {
            var issuances: [ExchangeLine.Issuance] = []
            var triggerLines: [ExchangeLine.Trigger] = []
            for l in lines {
                if let i = l.issuance { issuances.append(i) }
                if let t = l.trigger { triggerLines.append(t) }
                if let t = l.latest { latest = max(latest, t) }
            }
            issuances.sort { a, b in a.file != b.file ? ScaleOut.precedes(a.file, b.file) : a.seq < b.seq }
            for i in issuances {
                lineage.add(
                    CredentialIssuance(
                        api: i.api, account: i.account, childKey: i.childKey, parentKey: i.parentKey,
                        parentPrincipal: i.parentPrincipal, childPrincipal: i.childPrincipal, issuedAt: i.issuedAt,
                        expiresAt: i.expiresAt, eventID: i.eventID))
            }
            triggerLines.sort { a, b in a.file != b.file ? ScaleOut.precedes(a.file, b.file) : a.seq < b.seq }
            triggers = triggerLines.compactMap { t in
                guard let rule = rules.index(ofRule: t.ruleId), let json = Data(base64Encoded: t.json) else { return nil }
                return TriggerEvent(rule: rule, json: Array(json), file: t.file, index: t.index, time: t.time, eventID: t.eventID)
            }
        }

        func windows(_ rules: RuleSet) -> WindowIndex {
            WindowIndex.build(triggers: triggers, rules: rules, lineage: lineage, latest: latest)
        }
    }

    /// Stage 2: from every partition's global part, the context: issuances and trigger events (in discovery order),
    /// the latest time, the correlation outcomes and the absence findings (partials of phase 1). `outcomes`: those
    /// decided apart by `correlate` (when the map's matches were shuffled by group instead of sent here).
    public static func context(_ globals: [ExchangeLine], outcomes: [ExchangeLine] = [], rules: RuleSet) -> [ExchangeLine] {
        let shared = Shared(globals, rules: rules)
        var out: [ExchangeLine] = globals.filter { $0.issuance != nil || $0.trigger != nil }
        out.sort { a, b in
            let ka = a.issuance.map { (0, $0.file, $0.seq) } ?? a.trigger.map { (1, $0.file, $0.seq) }!
            let kb = b.issuance.map { (0, $0.file, $0.seq) } ?? b.trigger.map { (1, $0.file, $0.seq) }!
            if ka.0 != kb.0 { return ka.0 < kb.0 }
            return ka.1 != kb.1 ? precedes(ka.1, kb.1) : ka.2 < kb.2
        }
        if shared.latest > .min {
            var l = ExchangeLine(kind: .latest)
            l.latest = shared.latest
            out.append(l)
        }
        let windows = shared.windows(rules)
        for (n, b) in windows.absenceFindings.enumerated() {
            var l = ExchangeLine(kind: .builder)
            l.builder = ExchangeLine.Partial(phase: 1, file: nil, seq: n, record: b.record(rules))
            out.append(l)
        }
        // Correlation outcomes: decided here from the globals' matches, and those decided apart (`correlate`), by id.
        var seen = Set<String>()
        for l in (correlate(globals, rules: rules) + outcomes.filter { $0.outcome != nil }).sorted(by: { $0.outcome!.id < $1.outcome!.id })
        where seen.insert(l.outcome!.id).inserted {
            out.append(l)
        }
        return out
    }
}
