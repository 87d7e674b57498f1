import TrailReader

/// A key an event gives for joining it to states: text with `{field}` placeholders, e.g.
/// `{recipientAccountId}/user/{trailhound.target.userName}`. A field with several values gives several keys; a field
/// that is absent, null or empty gives none, so an event that cannot name its subject never joins a state.
public struct KeyTemplate: Sendable, CustomStringConvertible {
    enum Part: Sendable {
        case text(String)
        case field(RuleField)
    }

    let parts: [Part]
    public let description: String

    /// Parses a template; the error names what is wrong.
    struct Problem: Error {
        let message: String
    }

    static func parse(_ text: String) -> Result<KeyTemplate, Problem> {
        var parts: [Part] = []
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            if open > rest.startIndex { parts.append(.text(String(rest[..<open]))) }
            guard let close = rest[open...].firstIndex(of: "}") else { return .failure(Problem(message: "'\(text)' has a '{' without '}'")) }
            let name = String(rest[rest.index(after: open)..<close])
            guard let field = RuleField(name) else { return .failure(Problem(message: "'\(name)' in '\(text)' is not a field")) }
            parts.append(.field(field))
            rest = rest[rest.index(after: close)...]
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        guard parts.contains(where: { if case .field = $0 { return true } else { return false } }) else {
            return .failure(Problem(message: "'\(text)' names no {field}"))
        }
        return .success(KeyTemplate(parts: parts, description: text))
    }

    /// Every value the template takes on the event in `context` (at most 16).
    public func values(_ context: EventContext) -> [String] {
        var out = [""]
        for part in parts {
            switch part {
            case .text(let t):
                for i in out.indices { out[i] += t }
            case .field(let f):
                let values = context.strings(f).filter { !$0.isEmpty }
                guard !values.isEmpty else { return [] }
                var next: [String] = []
                for prefix in out { for v in values where next.count < 16 { next.append(prefix + v) } }
                out = next
            }
        }
        return out
    }

    var fields: [RuleField] { parts.compactMap { if case .field(let f) = $0 { return f } else { return nil } } }

    /// The FNV-1a hash of each value `values(context)` gives, without making the strings when every field has one
    /// value (the first pass fingerprints files with these; see `FileKeys`).
    func forEachKeyHash(_ context: EventContext, _ body: (UInt64) -> Void) {
        var h = FileKeys.fnvOffset
        for part in parts {
            switch part {
            case .text(let t):
                for b in t.utf8 { h = FileKeys.fnv(h, b) }
            case .field(let f):
                var n = 0
                var state = h
                if case .derived(let d) = f {
                    for v in context.derived(d) where !v.isEmpty {
                        n += 1
                        if n == 1 { for b in v.utf8 { state = FileKeys.fnv(state, b) } }
                    }
                } else {
                    _ = context.anyValue(f) { bytes in
                        guard bytes.count > 0 else { return false }
                        n += 1
                        if n == 1 { for b in bytes { state = FileKeys.fnv(state, b) } }
                        return n > 1
                    }
                }
                if n == 0 { return }
                if n > 1 {
                    // Several values: the general path.
                    for key in values(context) { body(FileKeys.fnvString(key)) }
                    return
                }
                h = state
            }
        }
        body(h)
    }
}

/// An event of another rule that opens or closes a state (or, for absence, the event that must follow).
public struct StateTrigger: Sendable {
    /// The rule's `name` or `id`, as written.
    public let rule: String
    /// Resolved by `RuleSet`.
    public internal(set) var ruleIndex = -1
    /// The state's key, read from the trigger's event; nil for a closer that closes by `instance` in every key.
    public let key: KeyTemplate?
    /// What a closer must share with the opener to close it (a policy ARN or name): the first of these templates
    /// that gives a value; nil: any.
    public let instance: [KeyTemplate]?
}

/// `state:` (a trailhound extension): the rule's events count only while a state is open for their key — opened by
/// an event of one rule, closed by an event of another, or by `lasts`, or never.
public struct StateSpec: Sendable {
    public internal(set) var openedBy: [StateTrigger]
    public internal(set) var closedBy: [StateTrigger]
    /// The keys of the rule's own events.
    public let keys: [KeyTemplate]
    /// The longest a state stays open (seconds).
    public let lasts: Int64?
}

/// `absence:` (a trailhound extension): the rule's event, with no event of another rule for the same key within
/// `within` after it.
public struct AbsenceSpec: Sendable {
    public internal(set) var of: [StateTrigger]
    public let keys: [KeyTemplate]
    public let within: Int64
}

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

/// Sigma time spans: `30s`, `5m`, `2h`, `7d`, `2w` (and `1M` = 30 days, `1y` = 365 days).
enum TimeSpan {
    static func seconds(_ text: String) -> Int64? {
        guard let unit = text.last, let n = Int64(text.dropLast()), n > 0 else { return nil }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86_400
        case "w": return n * 604_800
        case "M": return n * 2_592_000
        case "y": return n * 31_536_000
        default: return nil
        }
    }
}

extension Array where Element == KeyTemplate {
    /// Every value any of the templates takes, without repeats, in order.
    func values(_ context: EventContext) -> [String] {
        var out: [String] = []
        for t in self { for v in t.values(context) where !out.contains(v) { out.append(v) } }
        return out
    }
}
