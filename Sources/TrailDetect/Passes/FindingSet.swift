import Dispatch

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
        let sorted = order.map { builders[$0]! }
            .sorted { a, b in
                if a.firstTime != b.firstTime { return a.firstTime < b.firstTime }
                let ra = rules.rules[a.ruleIndex].id
                let rb = rules.rules[b.ruleIndex].id
                return ra != rb ? ra < rb : a.id < b.id
            }
        guard threads > 1, sorted.count >= 64 else { return sorted.map { $0.finding(rules, lineage: lineage) } }
        var out = [Finding?](repeating: nil, count: sorted.count)
        out.withUnsafeMutableBufferPointer { buffer in
            // Each thread writes its own slots (every `threads`-th, which spreads costly findings evenly).
            nonisolated(unsafe) let slots = buffer
            DispatchQueue.concurrentPerform(iterations: threads) { t in
                var i = t
                while i < sorted.count {
                    slots[i] = sorted[i].finding(rules, lineage: lineage)
                    i += threads
                }
            }
        }
        return out.map { $0! }
    }
}
