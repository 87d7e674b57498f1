import Foundation
import TrailReader

extension ScaleOut {
    /// The reduce partition a finding id belongs to among `count`: its first 8 hex digits as a number, modulo
    /// `count` (the PySpark job routes partials with the same function).
    public static func partition(of id: String, count: Int) -> Int {
        guard count > 1 else { return 0 }
        return Int(UInt64(id.prefix(8), radix: 16) ?? 0) % count
    }

    /// A partial that names a rule not loaded here (another rule set than the stages before).
    public struct UnknownRule: Error, CustomStringConvertible {
        public let findingID: String
        public let ruleID: String
        public var description: String { "finding \(findingID): rule \(ruleID) is not loaded (every stage must load the same rules)" }
    }

    /// Stage 4: merges every partial of each finding id (of reduce partition `part` of `parts`; the phase-1 partials
    /// come from the context), in the order one machine merges them, and renders the findings with the lineage,
    /// ordered as one machine orders them (first time, rule id, id).
    public static func reduce(
        _ partials: [ExchangeLine], context: [ExchangeLine], rules: RuleSet, part: Int = 0, parts: Int = 1
    ) throws -> [Finding] {
        let shared = Shared(context, rules: rules)
        var outcomes: [String: ExchangeLine.Outcome] = [:]
        for o in context.compactMap(\.outcome) where outcomes[o.id] == nil { outcomes[o.id] = o }
        var byID: [String: [ExchangeLine.Partial]] = [:]
        for p in (context + partials).compactMap(\.builder) where partition(of: p.record.id, count: parts) == part {
            byID[p.record.id, default: []].append(p)
        }
        var builders: [FindingBuilder] = []
        let files = FileOrder(byID.values.lazy.flatMap { $0.lazy.map { $0.file ?? "" } })
        for (id, list) in byID {
            let sorted = list.sorted { a, b in
                if a.phase != b.phase { return a.phase < b.phase }
                if a.file != b.file { return files[a.file ?? ""] < files[b.file ?? ""] }
                return a.seq < b.seq
            }
            var perEvent: FindingBuilder?
            var stateful: FindingBuilder?
            var correlated: FindingBuilder?
            func fold(_ into: inout FindingBuilder?, _ b: FindingBuilder) {
                if into == nil { into = b } else { into!.merge(b) }
            }
            func flushCorrelated() {
                guard var c = correlated else { return }
                // Only the first matches were read back; the count and times cover them all.
                if let o = outcomes[id] { c.account(count: o.count, first: o.first, last: o.last) }
                fold(&stateful, c)
                correlated = nil
            }
            for p in sorted {
                guard let b = FindingBuilder(record: p.record, rules: rules) else {
                    throw UnknownRule(findingID: id, ruleID: p.record.ruleId)
                }
                if p.phase != 2 { flushCorrelated() }
                switch p.phase {
                case 0: fold(&perEvent, b)
                case 2: fold(&correlated, b)
                default: fold(&stateful, b)
                }
            }
            flushCorrelated()
            if var whole = perEvent {
                if let s = stateful { whole.merge(s) }
                builders.append(whole)
            } else if let s = stateful {
                builders.append(s)
            }
        }
        return
            builders
            .sorted { a, b in
                if a.firstTime != b.firstTime { return a.firstTime < b.firstTime }
                let ra = rules.rules[a.ruleIndex].id
                let rb = rules.rules[b.ruleIndex].id
                return ra != rb ? ra < rb : a.id < b.id
            }
            .map { $0.finding(rules, lineage: shared.lineage) }
    }
}
