import TrailReader

/// A run's findings, not yet made: their builders in output order, with what making them needs (the rules and the
/// lineage). A finding is made when it is asked for, so a writer can make, render and drop them a batch at a time
/// instead of holding every finding (with its containment commands and live credentials, several kilobytes each)
/// at once; `all()` makes every one for the callers that need the whole list (reports, whole-document formats).
public struct FindingStream: Sendable {
    /// The builders, in any order (in memory, or read back from a spill file as they are made); `order` gives output
    /// order (first event time, then rule id, then finding id).
    let builders: BuilderTable
    /// Positions in `builders`, in output order.
    let order: [Int]
    let rules: RuleSet
    let lineage: LineageMap?
    /// Threads `all()` makes findings on (the result does not depend on it).
    let threads: Int

    public init(_ builders: [FindingBuilder], order: [Int]? = nil, rules: RuleSet, lineage: LineageMap?, threads: Int = 1) {
        self.init(BuilderTable(builders), order: order, rules: rules, lineage: lineage, threads: threads)
    }

    init(_ builders: BuilderTable, order: [Int]? = nil, rules: RuleSet, lineage: LineageMap?, threads: Int = 1) {
        self.builders = builders
        self.order = order ?? Array(builders.indices)
        self.rules = rules
        self.lineage = lineage
        self.threads = threads
    }

    public var count: Int { order.count }

    /// The finding at position `i` of the output, made now.
    public func finding(at i: Int) -> Finding { builders.builder(order[i]).finding(rules, lineage: lineage) }

    /// Findings whose builder could not be read back from the scan's spill file (the temporary file failed under the
    /// scan), so far: each was made with only its id and rule, and a writer must report the output incomplete.
    public var unreadable: Int { builders.spill?.unreadable.load(ordering: .relaxed) ?? 0 }

    /// Every finding, made on `threads` threads (few findings are not worth the threads).
    public func all() -> [Finding] {
        concurrentMap(count: count, threads: count >= 64 ? threads : 1) { _, i in finding(at: i) }
    }

    /// The findings whose rule is at `minLevel` or above, in the same order.
    public func atLeast(_ minLevel: SigmaRule.Level) -> FindingStream {
        guard minLevel > .informational else { return self }
        return FindingStream(
            builders, order: order.filter { level(of: $0) >= minLevel }, rules: rules, lineage: lineage,
            threads: threads)
    }

    /// The rule level of each finding (what a finding's `rule.level` says), without making the findings.
    public var levels: [SigmaRule.Level] { order.map { level(of: $0) } }

    /// The ids of the rules that gave findings.
    public var ruleIds: Set<String> { Set(order.map { rules.rules[builders.ruleIndex($0)].id }) }

    /// The rule level of the builder at position `i` of `builders`.
    func level(of i: Int) -> SigmaRule.Level { rules.rules[builders.ruleIndex(i)].level }
}
