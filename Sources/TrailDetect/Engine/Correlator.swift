import TrailReader

/// Evaluates Sigma correlation rules over the matches of the rules they count, gathered by the first pass. Matches
/// are grouped by the rule's `group-by` values and sorted by time (then file and record), so the result does not
/// depend on the order files were named in or on threads.
///
/// Windows are anchored at each match: the matches from it to `timespan` later are one window. A window that meets
/// the condition makes all its matches evidence; a group gives one finding, whose id is the correlation's id and the
/// group values. The evidence itself is read again from the files afterwards (`Analysis`), for these matches only.
enum Correlator {
    /// One correlation finding to be: its id, rule, group values, measure, and the matches that are its evidence.
    struct Outcome {
        let id: String
        let rule: Int
        let group: [String]
        let measure: String
        let evidence: [(file: Int32, record: Int32)]
    }

    static func evaluate(_ signals: [Signal], groupValues: [UInt64: [String]], rules: RuleSet) -> [Outcome] {
        var groups: [UInt64: [Signal]] = [:]
        for s in signals { groups[s.group, default: []].append(s) }
        var out: [Outcome] = []
        for (groupHash, unsorted) in groups {
            let c = Int(unsorted[0].correlation)
            guard let spec = rules.rules[c].correlation else { continue }
            let sorted = unsorted.sorted { a, b in
                if a.time != b.time { return a.time < b.time }
                if a.file != b.file { return a.file < b.file }
                return a.record < b.record
            }
            // The same event delivered twice (an organisation trail and an account trail) counts once.
            var seen = Set<UInt64>()
            let list = sorted.filter { $0.event == 0 || seen.insert($0.event &+ UInt64(bitPattern: Int64($0.base))).inserted }
            let (matched, best) = Self.matches(list, spec)
            guard matched.contains(true) else { continue }
            let values = groupValues[groupHash] ?? []
            out.append(
                Outcome(
                    id: FindingBuilder.id(rule: rules.rules[c].id, values: values), rule: c,
                    group: zip(spec.groupBy, values).map { "\($0)=\($1)" }, measure: best,
                    evidence: list.indices.filter { matched[$0] }.map { (list[$0].file, list[$0].record) }))
        }
        return out.sorted { $0.id < $1.id }
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
            switch spec.kind {
            case .eventCount:
                measured = Double(j - i + 1)
            case .valueCount:
                measured = Double(Set(list[i...j].map(\.value)).count)
            case .temporal:
                measured = Double(Set(list[i...j].map(\.base)).count)
            case .temporalOrdered:
                // The rules must match in the order listed, starting with this match; once they do, every match
                // in the window is evidence.
                var next = 0
                for k in i...j where next < spec.ruleIndexes.count && Int(list[k].base) == spec.ruleIndexes[next] { next += 1 }
                measured = Int(list[i].base) == spec.ruleIndexes[0] ? Double(next) : 0
            }
            if holds(measured) {
                for k in i...j { matched[k] = true }
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
