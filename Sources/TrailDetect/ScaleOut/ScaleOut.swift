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
    public static func orderKey(_ path: String) -> (Int64, String) { (orderTime(LogPath(path)), path) }

    /// The time a file is put in discovery order by: the time in its name, else its folder's day.
    static func orderTime(_ info: LogPath) -> Int64 { info.nameTime ?? info.folderDay ?? .min }

    /// Discovery order on `orderKey`s: the time, then the path's bytes. Every ordering of files below uses it.
    static func precedesKey(_ a: (Int64, String), _ b: (Int64, String)) -> Bool {
        a.0 != b.0 ? a.0 < b.0 : a.1.utf8.lexicographicallyPrecedes(b.1.utf8)
    }

    static func precedes(_ a: String, _ b: String) -> Bool { precedesKey(orderKey(a), orderKey(b)) }

    /// Each distinct path's place in discovery order (`precedes`), every path parsed once. The stages sort thousands
    /// of lines by their file: comparing the paths themselves parsed both at every comparison (most of the context
    /// stage's time, and repeated by every second-pass and reduce task).
    struct FileOrder {
        private let rank: [String: Int]

        init<S: Sequence>(_ paths: S) where S.Element == String {
            let sorted = Set(paths).map(ScaleOut.orderKey).sorted(by: ScaleOut.precedesKey)
            var rank: [String: Int] = [:]
            rank.reserveCapacity(sorted.count)
            for (n, k) in sorted.enumerated() { rank[k.1] = n }
            self.rank = rank
        }

        /// The place of a path given to `init`.
        subscript(_ path: String) -> Int { rank[path]! }

        /// `items` in the order of their file, then of `seq` (as `precedes` on the files, then `seq`, orders them).
        static func sorted<T>(_ items: [T], file: (T) -> String, seq: (T) -> Int) -> [T] {
            // A context's lines are in this order already (the context stage put them so), and every second-pass and
            // reduce task reads it: checked in one walk that parses a path only where the file changes.
            if inOrder(items, file: file, seq: seq) { return items }
            let order = FileOrder(items.lazy.map(file))
            let keys = items.map { (order[file($0)], seq($0)) }
            return keys.indices.sorted { keys[$0] < keys[$1] }.map { items[$0] }
        }

        /// Whether `sorted` would leave `items` as they are: each file's items in `seq` order, files in discovery
        /// order, none after another file's items again.
        static func inOrder<T>(_ items: [T], file: (T) -> String, seq: (T) -> Int) -> Bool {
            guard var previous = items.first.map(file) else { return true }
            var previousKey = ScaleOut.orderKey(previous).0
            var previousSeq = seq(items[0])
            for item in items.dropFirst() {
                let f = file(item)
                let s = seq(item)
                if f == previous {
                    guard previousSeq < s else { return false }
                } else {
                    let key = ScaleOut.orderKey(f).0
                    guard ScaleOut.precedesKey((previousKey, previous), (key, f)) else { return false }
                    (previous, previousKey) = (f, key)
                }
                previousSeq = s
            }
            return true
        }
    }

    /// The files of a listing as discovery would read them from a walked tree: digests and names that are not log
    /// files set aside, the rest in discovery order (each path once).
    public static func inputFiles(_ paths: [String]) -> (files: [InputFile], setAside: [(path: String, reason: SetAsideFile.Reason)]) {
        var files: [InputFile] = []
        var setAside: [(path: String, reason: SetAsideFile.Reason)] = []
        // Each path parsed once (sorting by `precedes` parsed both paths at every comparison: a tenth of a map task).
        let parsed = Set(paths).map { (info: LogPath($0), path: $0) }.sorted {
            precedesKey((orderTime($0.info), $0.path), (orderTime($1.info), $1.path))
        }
        for (info, path) in parsed {
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
            issuances = FileOrder.sorted(issuances, file: \.file, seq: \.seq)
            for i in issuances {
                lineage.add(
                    CredentialIssuance(
                        api: i.api, account: i.account, childKey: i.childKey, parentKey: i.parentKey,
                        parentPrincipal: i.parentPrincipal, childPrincipal: i.childPrincipal, issuedAt: i.issuedAt,
                        expiresAt: i.expiresAt, eventID: i.eventID))
            }
            triggerLines = FileOrder.sorted(triggerLines, file: \.file, seq: \.seq)
            triggers = triggerLines.compactMap { t in
                guard let rule = rules.index(ofRule: t.ruleId), let json = Data(base64Encoded: t.json) else { return nil }
                return TriggerEvent(rule: rule, json: Array(json), file: t.file, index: t.index, time: t.time, eventID: t.eventID)
            }
        }

        func windows(_ rules: RuleSet) -> WindowIndex {
            WindowIndex.build(triggers: Blocks(triggers), rules: rules, lineage: lineage, latest: latest)
        }
    }

    /// Stage 2: from every partition's global part, the context: issuances and trigger events (in discovery order),
    /// the latest time, the correlation outcomes and the absence findings (partials of phase 1). `outcomes`: those
    /// decided apart by `correlate` (when the map's matches were shuffled by group instead of sent here).
    public static func context(_ globals: [ExchangeLine], outcomes: [ExchangeLine] = [], rules: RuleSet) -> [ExchangeLine] {
        let shared = Shared(globals, rules: rules)
        let kept = globals.filter { $0.issuance != nil || $0.trigger != nil }
        // Issuances first, then triggers; each in the order of their file, then of their place in it.
        var out = FileOrder.sorted(kept.filter { $0.issuance != nil }, file: { $0.issuance!.file }, seq: { $0.issuance!.seq })
        out += FileOrder.sorted(kept.filter { $0.issuance == nil }, file: { $0.trigger!.file }, seq: { $0.trigger!.seq })
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
