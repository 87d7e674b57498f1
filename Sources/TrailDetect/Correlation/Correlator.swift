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
        /// The first `FindingBuilder.maxEvidence` matches (in time order), read back from their files.
        let evidence: [(file: Int32, record: Int32)]
        /// Every match counted, and the first and last times.
        let count: Int
        let first: Int64
        let last: Int64
    }

    /// Sorts `signals` in place (by group, then time, file and record) and evaluates each group's run, so the
    /// matches are never copied.
    static func evaluate(_ signals: inout [Signal], groupValues: [UInt64: [String]], rules: RuleSet) -> [Outcome] {
        evaluate(&signals, groupValues: { groupValues[$0] ?? [] }, rules: rules)
    }

    /// The same, with each group's values from `groupValues` (asked only for the groups that reach their condition;
    /// nil when they cannot be known, and the group gives no outcome).
    static func evaluate(_ signals: inout [Signal], groupValues: (UInt64) -> [String]?, rules: RuleSet) -> [Outcome] {
        signals.sort { a, b in
            if a.group != b.group { return a.group < b.group }
            if a.time != b.time { return a.time < b.time }
            if a.file != b.file { return a.file < b.file }
            return a.record < b.record
        }
        var out: [Outcome] = []
        var start = 0
        while start < signals.count {
            var end = start + 1
            while end < signals.count && signals[end].group == signals[start].group { end += 1 }
            defer { start = end }
            let groupHash = signals[start].group
            let c = Int(signals[start].correlation)
            guard let spec = rules.rules[c].correlation else { continue }
            // The same event delivered twice (an organisation trail and an account trail) counts once.
            var seen = Set<UInt64>()
            let list = signals[start..<end].filter { $0.event == 0 || seen.insert($0.event &+ UInt64(bitPattern: Int64($0.base))).inserted }
            let (matched, best) = Self.matches(list, spec)
            guard matched.contains(true) else { continue }
            guard let values = groupValues(groupHash) else { continue }
            let chosen = list.indices.filter { matched[$0] }
            out.append(
                Outcome(
                    id: FindingBuilder.id(rule: rules.rules[c].id, values: values), rule: c,
                    group: zip(spec.groupBy, values).map { "\($0)=\($1)" }, measure: best,
                    evidence: chosen.prefix(FindingBuilder.maxEvidence).map { (list[$0].file, list[$0].record) },
                    count: chosen.count, first: list[chosen.first!].time, last: list[chosen.last!].time))
        }
        return out.sorted { $0.id < $1.id }
    }

    /// Which matches fall in a window that meets the condition, and the strongest measure seen. Linear in the
    /// number of matches: windows slide, counts are kept as they go, and matched ranges are marked with a difference
    /// array.
    static func matches(_ list: [Signal], _ spec: CorrelationSpec) -> ([Bool], String) {
        let n = list.count
        var marks = Array(repeating: 0, count: n + 1)
        var bestValue: Double = -1
        func holds(_ v: Double) -> Bool { spec.condition.allSatisfy { $0.0.holds(v, $0.1) } }
        let condition = spec.condition.map { "\($0.0.rawValue) \(Self.number($0.1))" }.joined(separator: ", ")
        // For temporal_ordered: next[r][k] is the first position >= k whose rule is the r-th listed (n if none).
        var next: [[Int]] = []
        if spec.kind == .temporalOrdered {
            next = spec.ruleIndexes.map { rule in
                var row = Array(repeating: n, count: n + 1)
                var k = n - 1
                while k >= 0 {
                    row[k] = Int(list[k].base) == rule ? k : row[k + 1]
                    k -= 1
                }
                return row
            }
        }
        // Only the kinds that measure them keep these counts (hashing per match is most of the evaluation's cost).
        let countValues = spec.kind == .valueCount
        let countRules = spec.kind == .temporal
        var valueCounts: [UInt64: Int] = [:]
        var ruleCounts: [Int32: Int] = [:]
        var j = -1
        for i in 0..<n {
            // Extend the window [i, j] to every match within the time span of match i.
            while j + 1 < n && list[j + 1].time <= list[i].time + spec.timespan {
                j += 1
                if countValues { valueCounts[list[j].value, default: 0] += 1 }
                if countRules { ruleCounts[list[j].base, default: 0] += 1 }
            }
            let measured: Double
            switch spec.kind {
            case .eventCount:
                measured = Double(j - i + 1)
            case .valueCount:
                measured = Double(valueCounts.count)
            case .temporal:
                measured = Double(ruleCounts.count)
            case .temporalOrdered:
                // The rules must match in the order listed, starting with this match.
                var matched = 0
                if Int(list[i].base) == spec.ruleIndexes[0] {
                    var position = i
                    for r in 0..<spec.ruleIndexes.count {
                        let at = next[r][position]
                        guard at <= j else { break }
                        matched += 1
                        position = at + 1
                        if position > n { break }
                    }
                }
                measured = Double(matched)
            }
            if holds(measured) {
                // Every match in the window is evidence.
                marks[i] += 1
                marks[j + 1] -= 1
                bestValue = max(bestValue, measured)
            }
            // Slide: match i leaves the window.
            if countValues {
                valueCounts[list[i].value]! -= 1
                if valueCounts[list[i].value] == 0 { valueCounts[list[i].value] = nil }
            }
            if countRules {
                ruleCounts[list[i].base]! -= 1
                if ruleCounts[list[i].base] == 0 { ruleCounts[list[i].base] = nil }
            }
        }
        var matched = Array(repeating: false, count: n)
        var running = 0
        for k in 0..<n {
            running += marks[k]
            matched[k] = running > 0
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
