import TrailReader

/// Findings merged across files.
public struct FindingSet: Sendable {
    var builders: [String: FindingBuilder] = [:]
    var order: [String] = []

    public init() {}

    public mutating func merge(_ partial: [FindingBuilder]) {
        for b in partial {
            if builders[b.id] == nil {
                builders[b.id] = b
                order.append(b.id)
            } else {
                builders[b.id]!.merge(b)
            }
        }
    }

    public var count: Int { order.count }

    /// The findings, ordered by first event time, then rule id and finding id. With a lineage map, each names the
    /// live credentials its actor's keys minted. With `threads` > 1 the findings are made on that many threads
    /// (each is made from its builder alone, so the result is the same).
    public func findings(_ rules: RuleSet, lineage: LineageMap? = nil, threads: Int = 1) -> [Finding] {
        stream(rules, lineage: lineage, threads: threads).all()
    }

    /// The findings in the same order, made only when asked for (a batch at a time, by a writer).
    public func stream(_ rules: RuleSet, lineage: LineageMap? = nil, threads: Int = 1) -> FindingStream {
        var sorted = order.map { builders[$0]! }
        sorted.sort { a, b in
            if a.firstTime != b.firstTime { return a.firstTime < b.firstTime }
            let ra = rules.rules[a.ruleIndex].id
            let rb = rules.rules[b.ruleIndex].id
            return ra != rb ? ra < rb : a.id < b.id
        }
        return FindingStream(sorted, rules: rules, lineage: lineage, threads: threads)
    }
}
