import Foundation
import TrailReader

extension ScaleOut {
    /// The correlate partition of a match's group among `count`: the group hash modulo `count` (the PySpark job
    /// shuffles `signal` and `group` lines with the same function). Every match of a group meets in one partition.
    public static func correlatePartition(ofGroup group: UInt64, count: Int) -> Int {
        count > 1 ? Int(group % UInt64(count)) : 0
    }

    /// A map's global part without its correlation matches and group values, and those apart: the job shuffles
    /// them by group to `correlate` instead of sending them to `context`.
    public static func splitSignals(_ lines: [ExchangeLine]) -> (global: [ExchangeLine], signals: [ExchangeLine]) {
        var global: [ExchangeLine] = []
        var signals: [ExchangeLine] = []
        for l in lines {
            if l.signal != nil || l.group != nil { signals.append(l) } else { global.append(l) }
        }
        return (global, signals)
    }

    /// Stage `correlate`: the outcomes of the correlation groups whose matches (`signal` lines) and values (`group`
    /// lines) are given, decided by the code one scan uses. Groups are independent, so any split of the groups over
    /// partitions gives, once the outcomes are put together, the outcomes of one machine. Exact by construction:
    /// the matches are put back in discovery order (file, then position in it) before they are evaluated, the file
    /// index the evaluation breaks ties with follows the same order, a group's values are chosen by their smallest
    /// text, and the outcomes come sorted by id.
    public static func correlate(_ lines: [ExchangeLine], rules: RuleSet) -> [ExchangeLine] {
        let signalLines = lines.compactMap(\.signal)
        guard !signalLines.isEmpty else { return [] }
        let order = FileOrder(signalLines.lazy.map(\.file))
        let files = Set(signalLines.map(\.file)).sorted { order[$0] < order[$1] }
        let fileIndex = Dictionary(uniqueKeysWithValues: files.enumerated().map { ($0.element, Int32($0.offset)) })
        var signals: [(Int32, Int, Signal)] = signalLines.compactMap { s in
            guard let c = rules.index(ofRule: s.correlationId), let b = rules.index(ofRule: s.baseId) else { return nil }
            let file = fileIndex[s.file]!
            return (
                file, s.seq,
                Signal(
                    correlation: Int32(c), base: Int32(b), group: s.group, value: s.value, time: s.time, event: s.event,
                    file: file, record: Int32(truncatingIfNeeded: s.record))
            )
        }
        signals.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var groupValues: [UInt64: [String]] = [:]
        for g in lines.compactMap(\.group) {
            if groupValues[g.group] == nil || g.values.lexicographicallyPrecedes(groupValues[g.group]!) {
                groupValues[g.group] = g.values
            }
        }
        var ordered = signals.map(\.2)
        return Correlator.evaluate(&ordered, groupValues: groupValues, rules: rules).map { o in
            var l = ExchangeLine(kind: .outcome)
            l.outcome = ExchangeLine.Outcome(
                id: o.id, ruleId: rules.rules[o.rule].id, group: o.group, measure: o.measure,
                evidence: o.evidence.map { ExchangeLine.EvidenceRef(file: files[Int($0.file)], record: Int($0.record)) },
                count: o.count, first: o.first, last: o.last)
            return l
        }
    }
}
