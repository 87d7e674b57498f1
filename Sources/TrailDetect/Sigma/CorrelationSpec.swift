/// A Sigma correlation rule (`correlation:`).
public struct CorrelationSpec: Sendable {
    public enum Kind: String, Sendable {
        case eventCount = "event_count"
        case valueCount = "value_count"
        case temporal
        case temporalOrdered = "temporal_ordered"
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case gt, gte, lt, lte, eq, neq
        func holds(_ a: Double, _ b: Double) -> Bool {
            switch self {
            case .gt: return a > b
            case .gte: return a >= b
            case .lt: return a < b
            case .lte: return a <= b
            case .eq: return a == b
            case .neq: return a != b
            }
        }
    }

    public let kind: Kind
    /// The referenced rules' names or ids, as written.
    public let rules: [String]
    public internal(set) var ruleIndexes: [Int] = []
    /// Group-by names: fields, or aliases.
    public let groupBy: [String]
    /// alias → (rule name or id → field).
    public let aliases: [String: [String: RuleField]]
    public let timespan: Int64
    /// Every comparison must hold (a range is two).
    public let condition: [(Comparison, Double)]
    /// The field `value_count` counts distinct values of.
    public let valueField: String?
    /// Whether the referenced rules also give findings of their own (Sigma's default: no).
    public let generate: Bool

    /// The field group-by name `name` reads on events of rule `rule` (name or id).
    func field(_ name: String, rule: SigmaRule) -> RuleField? {
        if let alias = aliases[name] {
            return (rule.name.flatMap { alias[$0] }) ?? alias[rule.id]
        }
        return RuleField(name)
    }
}
