import TrailReader

/// Evaluates Sigma correlation rules over the matches of the rules they count, gathered by the first pass. Matches
/// are grouped by the rule's `group-by` values and sorted by time (then event id, file and record), so the result
/// does not depend on file order or threads.
///
/// Windows are anchored at each match: the matches from it to `timespan` later are one window. A window that meets
/// the condition makes all its matches (for `temporal_ordered`, those that form the sequence) evidence; a group gives
/// one finding, whose id is the correlation's id and the group values.
enum Correlator {
    static func evaluate(_ signals: [Signal], rules: RuleSet, lineage: LineageMap?) -> [FindingBuilder] {
        var groups: [Int: [String: [Signal]]] = [:]
        for s in signals { groups[s.correlation, default: [:]][s.group.joined(separator: "\u{1F}"), default: []].append(s) }
        let detector = Detector(rules: rules, lineage: lineage, pass: .all)
        var out: [FindingBuilder] = []
        for c in groups.keys.sorted() {
            let rule = rules.rules[c]
            guard let spec = rule.correlation else { continue }
            for groupKey in groups[c]!.keys.sorted() {
                let list = groups[c]![groupKey]!.sorted { a, b in
                    if a.time != b.time { return a.time < b.time }
                    let (ea, eb) = (a.evidence.eventID ?? "", b.evidence.eventID ?? "")
                    if ea != eb { return ea < eb }
                    if a.evidence.file != b.evidence.file { return a.evidence.file < b.evidence.file }
                    return a.evidence.recordIndex < b.evidence.recordIndex
                }
                let (matched, best) = Self.matches(list, spec)
                guard matched.contains(true) else { continue }
                let chosen = list.indices.filter { matched[$0] }
                // The actor is described by the first counted match whose text was kept (else the group's first).
                guard let describer = chosen.first(where: { list[$0].json != nil }) ?? list.indices.first(where: { list[$0].json != nil })
                else { continue }
                let group = list[0].group
                let values = zip(spec.groupBy, group).map { "\($0)=\($1)" }
                var builder: FindingBuilder?
                _ = EventParser.withEvent(list[describer].json!, index: list[describer].evidence.recordIndex) { event in
                    detector.context.reset(event)
                    var b = FindingBuilder(
                        id: FindingBuilder.id(rule: rule.id, values: group), ruleIndex: c,
                        title: Detector.title(rule, detector.context))
                    b.describe(detector.context)
                    b.state = Finding.State(
                        kind: "correlation", key: values.joined(separator: " "), openedByRule: nil, opened: nil, closed: nil,
                        until: nil, measure: best)
                    builder = b
                }
                guard var b = builder else { continue }
                for k in chosen { b.add(evidence: list[k].evidence, time: list[k].time, region: list[k].region) }
                out.append(b)
            }
        }
        return out
    }

    /// Which matches fall in a window that meets the condition, and the strongest measure seen.
    static func matches(_ list: [Signal], _ spec: CorrelationSpec) -> ([Bool], String) {
        var matched = Array(repeating: false, count: list.count)
        var bestValue: Double = -1
        var j = 0
        func holds(_ v: Double) -> Bool { spec.condition.allSatisfy { $0.0.holds(v, $0.1) } }
        let condition = spec.condition.map { "\($0.0.rawValue) \(Self.number($0.1))" }.joined(separator: ", ")
        for i in list.indices {
            if j < i { j = i }
            while j + 1 < list.count && list[j + 1].time <= list[i].time + spec.timespan { j += 1 }
            let measured: Double
            var used: [Int] = Array(i...j)
            switch spec.kind {
            case .eventCount:
                measured = Double(j - i + 1)
            case .valueCount:
                measured = Double(Set(list[i...j].compactMap(\.value)).count)
            case .temporal:
                measured = Double(Set(list[i...j].map(\.base)).count)
            case .temporalOrdered:
                // The rules must match in the order listed, starting with this match; once they do, every match
                // in the window is evidence.
                var next = 0
                for k in i...j where next < spec.ruleIndexes.count && list[k].base == spec.ruleIndexes[next] { next += 1 }
                measured = list[i].base == spec.ruleIndexes[0] ? Double(next) : 0
            }
            if holds(measured) {
                for k in used { matched[k] = true }
                bestValue = max(bestValue, measured)
            }
        }
        let what: String
        switch spec.kind {
        case .eventCount: what = "events"
        case .valueCount: what = "distinct \(spec.valueField ?? "values")"
        case .temporal, .temporalOrdered: what = "rules matched"
        }
        return (matched, "\(spec.kind.rawValue): \(Self.number(bestValue)) \(what) within \(spec.timespan)s (condition \(condition))")
    }

    static func number(_ v: Double) -> String { v == v.rounded() ? String(Int64(v)) : String(v) }
}
