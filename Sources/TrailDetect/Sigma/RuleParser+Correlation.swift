import Foundation
import TrailReader
import Yams

/// Sigma correlation rules (`correlation:`).
extension RuleParser {
    static func parseCorrelation(
        _ node: Node, map: Node.Mapping, root: Node, file: String, id: String, title: String, level: SigmaRule.Level
    ) throws -> SigmaRule {
        func fail(_ n: Node?, _ message: String) -> DetectError { DetectError(.rule, file: file, line: n?.mark?.line ?? node.mark?.line, message) }
        guard let m = node.mapping else { throw fail(node, "'correlation' must be a mapping") }
        guard let typeText = m["type"]?.string else { throw fail(node, "correlation.type is missing") }
        guard let kind = CorrelationSpec.Kind(rawValue: typeText) else {
            throw DetectError(.unsupported, file: file, line: m["type"]?.mark?.line, "the correlation type '\(typeText)'")
        }
        let ruleNodes = m["rules"].map { $0.sequence.map { Array($0) } ?? [$0] } ?? []
        let rules = ruleNodes.compactMap(\.string)
        guard !rules.isEmpty, rules.count == ruleNodes.count else { throw fail(m["rules"], "correlation.rules is a list of rule names or ids") }
        let groupNodes = m["group-by"].map { $0.sequence.map { Array($0) } ?? [$0] } ?? []
        let groupBy = groupNodes.compactMap(\.string)
        var aliases: [String: [String: RuleField]] = [:]
        if let a = m["aliases"] {
            guard let am = a.mapping else { throw fail(a, "correlation.aliases is a mapping") }
            for (k, v) in am {
                guard let alias = k.string, let vm = v.mapping else { throw fail(k, "each alias maps rule names to fields") }
                for (rk, rv) in vm {
                    guard let rule = rk.string, let name = rv.string, let field = RuleField(name) else {
                        throw fail(rk, "alias '\(k.string ?? "")': each rule maps to a field")
                    }
                    aliases[alias, default: [:]][rule] = field
                }
            }
        }
        for name in groupBy where aliases[name] == nil && RuleField(name) == nil {
            throw fail(m["group-by"], "group-by '\(name)' is neither a field nor an alias")
        }
        guard let spanText = m["timespan"]?.string ?? m["timeframe"]?.string, let span = TimeSpan.seconds(spanText) else {
            throw fail(m["timespan"] ?? node, "correlation.timespan is a time span such as 5m")
        }
        var comparisons: [(CorrelationSpec.Comparison, Double)] = []
        var valueField: String?
        if let c = m["condition"] {
            guard let cm = c.mapping else { throw fail(c, "correlation.condition is a mapping such as {gte: 10}") }
            for (k, v) in cm {
                let key = k.string ?? ""
                if key == "field" {
                    valueField = v.string
                    continue
                }
                guard let op = CorrelationSpec.Comparison(rawValue: key), let n = v.string.flatMap(Double.init) else {
                    throw fail(k, "condition '\(key)' is not one of gt, gte, lt, lte, eq, neq with a number (or field)")
                }
                comparisons.append((op, n))
            }
        }
        switch kind {
        case .eventCount, .valueCount:
            guard !comparisons.isEmpty else { throw fail(m["condition"] ?? node, "\(typeText) needs a condition such as {gte: 10}") }
            if kind == .valueCount && valueField == nil { throw fail(m["condition"] ?? node, "value_count needs condition.field") }
            if let v = valueField, aliases[v] == nil, RuleField(v) == nil { throw fail(m["condition"], "'\(v)' is not a field") }
        case .temporal, .temporalOrdered:
            if comparisons.isEmpty { comparisons = [(.gte, Double(rules.count))] }
        }
        var generate = false
        if let g = m["generate"] ?? map["generate"] {
            guard case .bool(let flag) = YAMLScalar.kind(g) else { throw fail(g, "'generate' is true or false") }
            generate = flag
        }
        var containment: [ContainmentRef] = []
        if let node = map["containment"], let seq = node.sequence {
            for item in seq {
                if let cid = item.scalar?.string {
                    containment.append(ContainmentRef(id: cid, subject: .actor, line: item.mark?.line))
                } else if let cm = item.mapping, let cid = cm["id"]?.string {
                    let subject = ContainmentRef.Subject(rawValue: cm["subject"]?.string ?? "actor") ?? .actor
                    containment.append(ContainmentRef(id: cid, subject: subject, line: item.mark?.line))
                }
            }
        }
        func strings(_ key: String) -> [String] {
            guard let n = map[key] else { return [] }
            if let s = n.scalar { return [s.string] }
            return n.sequence?.compactMap(\.string) ?? []
        }
        let spec = CorrelationSpec(
            kind: kind, rules: rules, groupBy: groupBy, aliases: aliases, timespan: span, condition: comparisons,
            valueField: valueField, generate: generate)
        return SigmaRule(
            id: id, name: map["name"]?.string, title: title, level: level, status: map["status"]?.string,
            description: map["description"]?.string, tags: strings("tags"), references: strings("references"), file: file,
            detection: CompiledDetection(selections: [], names: [], condition: .or([])), containment: containment,
            groupBy: [], titleTemplate: map["title-template"]?.string, tests: RuleTests(), eventNames: [], eventSources: [],
            fields: [], usesDerivedFields: false, findings: true, windows: [], absence: nil, correlation: spec)
    }
}
