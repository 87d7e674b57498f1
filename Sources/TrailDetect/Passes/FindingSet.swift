import TrailReader

/// Findings merged across files: their builders in the order first seen, and where each id is.
public struct FindingSet: Sendable {
    /// The builders, in the order their ids were first merged. An array, not a dictionary of builders: a builder is
    /// a large value, and the array is handed to the `FindingStream` as it is (no copy, no rehash).
    private(set) var list: [FindingBuilder] = []
    private var index: [String: Int] = [:]

    public init() {}

    public mutating func merge(_ partial: [FindingBuilder]) {
        for b in partial {
            if let at = index[b.id] {
                list[at].merge(b)
            } else {
                index[b.id] = list.count
                list.append(b)
            }
        }
    }

    public var count: Int { list.count }

    /// The findings, ordered by first event time, then rule id and finding id. With a lineage map, each names the
    /// live credentials its actor's keys minted. With `threads` > 1 the findings are made on that many threads
    /// (each is made from its builder alone, so the result is the same).
    public func findings(_ rules: RuleSet, lineage: LineageMap? = nil, threads: Int = 1) -> [Finding] {
        stream(rules, lineage: lineage, threads: threads).all()
    }

    /// The findings in the same order, made only when asked for (a batch at a time, by a writer). The builders are
    /// shared with this set, and put in order by their positions alone.
    public func stream(_ rules: RuleSet, lineage: LineageMap? = nil, threads: Int = 1) -> FindingStream {
        let list = list
        let order = list.indices.sorted { i, j in
            let (a, b) = (list[i], list[j])
            if a.firstTime != b.firstTime { return a.firstTime < b.firstTime }
            let ra = rules.rules[a.ruleIndex].id
            let rb = rules.rules[b.ruleIndex].id
            return ra != rb ? ra < rb : a.id < b.id
        }
        return FindingStream(list, order: order, rules: rules, lineage: lineage, threads: threads)
    }
}
